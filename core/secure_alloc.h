/* The libraries' memory, wiped when freed: libcurl's buffers hold
 * request headers (the session token) and answers (decrypted parameter
 * values), Jansson's trees and libxml2's nodes hold parsed answers,
 * OpenSSL's hold key material. Each library is handed allocation
 * functions whose free (and moving realloc) zero the block first, as the
 * host's own buffers do (xfree_wiped). Also: no core dump, so a crash
 * does not write the process's memory to disk. */
#ifndef CORE_SECURE_ALLOC_H
#define CORE_SECURE_ALLOC_H

/* Call first in main, before any library allocates. */
void secure_memory_install(void);

#endif
