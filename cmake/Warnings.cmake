# stackhost_warnings(target): the project's warning set, errors with STACKHOST_WERROR.
function(stackhost_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral)
  if(STACKHOST_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
