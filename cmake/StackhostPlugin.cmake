# stackhost_add_plugin(NAME source...)
#
# Builds the plugin NAME as NAME.so, a module that exports only its
# descriptor (hidden visibility) and links nothing of the host, only the
# SDK's converge layer (a static library). Inside the
# stackhost tree it uses the stackhost::sdk target and lands in
# build/plugins; installed, it finds the SDK with pkg-config and installs
# into the plugin directory stackhost searches.
if(NOT TARGET stackhost::sdk)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(STACKHOST REQUIRED IMPORTED_TARGET stackhost)
  add_library(stackhost::sdk ALIAS PkgConfig::STACKHOST)
  add_library(stackhost::converge ALIAS PkgConfig::STACKHOST)
  pkg_get_variable(STACKHOST_PLUGIN_INSTALL_DIR stackhost plugindir)
endif()

function(stackhost_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES PREFIX "" OUTPUT_NAME ${name}
    C_STANDARD 11 C_VISIBILITY_PRESET hidden)
  if(STACKHOST_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${STACKHOST_PLUGIN_OUTPUT_DIR}")
  endif()
  target_link_libraries(${name} PRIVATE stackhost::sdk stackhost::converge)
  if(COMMAND stackhost_warnings)
    stackhost_warnings(${name})
  endif()
  if(STACKHOST_PLUGIN_INSTALL_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION "${STACKHOST_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
