/* Names of Linux system calls by number (x86-64). */
#ifndef GOSCOPE_INSPECT_SYSNAMES_H
#define GOSCOPE_INSPECT_SYSNAMES_H

/* Returns the name of system call nr ("read"), or NULL when unknown. */
const char *sysnames_name(long nr);

#endif
