/* Compiler attributes shared by every module. */
#ifndef GOSCOPE_LIB_COMPILER_H
#define GOSCOPE_LIB_COMPILER_H

#define ATTR_FORMAT(a, b) __attribute__((format(printf, a, b)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_MALLOC __attribute__((malloc))
#define ATTR_RETNONNULL __attribute__((returns_nonnull))
#define ATTR_ALLOC_SIZE1(a) __attribute__((alloc_size(a)))
#define ATTR_ALLOC_SIZE2(a, b) __attribute__((alloc_size(a, b)))
#define ATTR_UNUSED __attribute__((unused))
#define ATTR_WARN_UNUSED __attribute__((warn_unused_result))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
