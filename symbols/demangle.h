/* Demangling of C++ and Rust symbol names. */
#ifndef GOSCOPE_SYMBOLS_DEMANGLE_H
#define GOSCOPE_SYMBOLS_DEMANGLE_H

/*
 * Demangles a C++ (Itanium ABI) or Rust (legacy and v0) symbol name, with
 * parameter types for C++ and without the hash suffix for Rust.  Returns
 * the demangled name (the caller frees it), or NULL when name is not
 * mangled (C and Go names) or cannot be demangled.
 */
char *demangle(const char *name);

#endif
