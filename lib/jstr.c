/* The one writer of JSON strings: NULL as null, bytes cleaned to UTF-8. */
#include <stdlib.h>
#include <string.h>

#include "lib/jstr.h"
#include "lib/strbuf.h"
#include "lib/utf8.h"
#include "lib/banned.h"

static char *cleaned(const char *s);

/* A copy of s with invalid UTF-8 replaced; the caller frees it. */
static char *cleaned(const char *s)
{
	struct strbuf sb;

	strbuf_init(&sb);
	utf8_clean(&sb, s, strlen(s));
	return strbuf_detach(&sb, NULL);
}

json_t *jstr(const char *s)
{
	json_t *j;
	char *c;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	c = cleaned(s);
	j = json_string(c);
	free(c);
	return j ? j : json_string("?");
}

int jstr_set(json_t *obj, const char *key, json_t *value)
{
	char *c;
	int r;

	if (utf8_valid(key, strlen(key)))
		return json_object_set_new(obj, key, value);
	c = cleaned(key);
	r = json_object_set_new(obj, c, value);
	free(c);
	return r;
}
