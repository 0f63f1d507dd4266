/* test_vocab.c: vocabulary loading (the built-in files and malformed input) and query expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "model/search.h"
#include "model/vocab.h"

static const char good_conditions[] = "# a comment\n"
                                      "\n"
                                      "hypertension|High blood pressure|hypertension|bp, hbp, high bp\n"
                                      "blepharospasm|Blepharospasm|blepharospasm|eye twitching, eyelid spasm\n"
                                      "hemifacial-spasm|Hemifacial spasm|-|eye twitching, face twitching\r\n";
static const char good_meds[] = "losartan|Cozaar|angiotensin receptor blocker|hypertension\n"
                                "onabotulinumtoxina|Botox|neurotoxin|blepharospasm, hemifacial-spasm\n";

static vocab *load(const char *cond, const char *meds, char *err, size_t errlen, int *rc)
{
	vocab *v = vocab_new();
	*rc = vocab_load_conditions(v, "conditions.txt", cond, strlen(cond), err, errlen);
	if (*rc >= 0 && meds)
		*rc = vocab_load_medications(v, "medications.txt", meds, strlen(meds), err, errlen);
	return v;
}

static void test_builtin_loads(void **state)
{
	(void)state;
	const vocab *v = vocab_builtin();
	assert_non_null(v);
	assert_true(vocab_count(v, VOCAB_CONDITION) >= 150);
	assert_true(vocab_count(v, VOCAB_MEDICATION) >= 300);
	/* The words of the issue: bp, sugar, eye twitching, water pills. */
	const char *w[] = {"bp"};
	const int *ents;
	int ne;
	assert_int_equal(vocab_match(v, w, 1, &ents, &ne), 1);
	assert_string_equal(vocab_entry_at(v, ents[0])->key, "hypertension");
	const char *w2[] = {"eye", "twitching", "again"};
	assert_int_equal(vocab_match(v, w2, 3, &ents, &ne), 2);
	assert_true(ne >= 2);
	const char *w3[] = {"sugar"};
	assert_int_equal(vocab_match(v, w3, 1, &ents, &ne), 1);
	assert_string_equal(vocab_entry_at(v, ents[0])->topic, "type-2-diabetes");
	const char *w4[] = {"cozaar"};
	assert_int_equal(vocab_match(v, w4, 1, &ents, &ne), 1);
	assert_string_equal(vocab_entry_at(v, ents[0])->key, "losartan");
	assert_string_equal(vocab_entry_topic(v, vocab_entry_at(v, ents[0])), "hypertension");
	const char *w5[] = {"water", "pills"};
	assert_int_equal(vocab_match(v, w5, 2, &ents, &ne), 2);
}

static void test_good_file(void **state)
{
	(void)state;
	char err[256] = "";
	int rc;
	vocab *v = load(good_conditions, good_meds, err, sizeof err, &rc);
	assert_int_equal(rc, 2);
	assert_int_equal(vocab_count(v, VOCAB_CONDITION), 3);
	assert_int_equal(vocab_count(v, VOCAB_MEDICATION), 2);
	const char *w[] = {"eye", "twitching"};
	const int *ents;
	int ne;
	assert_int_equal(vocab_match(v, w, 2, &ents, &ne), 2);
	assert_int_equal(ne, 2);
	assert_null(vocab_entry_at(v, 2)->topic); /* "-" means no topic */
	vocab_free(v);
}

struct bad_case {
	const char *cond, *meds, *msg;
};

static void test_malformed(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
	    {"# c\nhypertension|High blood pressure|hypertension\n", NULL,
	     "conditions.txt:2: expected 4 fields separated by |"},
	    {"a|A|-|x\nb|B|-|y|z\n", NULL, "conditions.txt:2: expected 4 fields separated by |"},
	    {"Bad Key|A|-|x\n", NULL, "conditions.txt:1: key \"Bad Key\" must be"},
	    {"a|A|-|x\n\na|A again|-|y\n", NULL, "conditions.txt:3: condition \"a\" is listed twice"},
	    {"a||-|x\n", NULL, "conditions.txt:1: the name (field 2) is empty"},
	    {"a|A|-|x,,y\n", NULL, "conditions.txt:1: empty term"},
	    {"a|A|Not A Slug|x\n", NULL, "conditions.txt:1: topic \"Not A Slug\""},
	    {"a|A|-|x, ---\n", NULL, "conditions.txt:1: term \"---\" needs"},
	    {"a|A|-|caf\xc3\n", NULL, "conditions.txt:1: not valid UTF-8"},
	    {"a|A|-|x\n", "m|Brand|class|a\nn|Brand|class|nope\n",
	     "medications.txt:2: unknown condition \"nope\""},
	    {"a|A|-|x\n", "m|Brand|class|\n", "medications.txt:1: list at least one condition"},
	    {"a|A|-|x\n", "m|Brand||a\n", "medications.txt:1: the drug class (field 3) is empty"},
	    {"a|A|-|x\n", "m|Brand|class|a\nm|Other|class|a\n", "medications.txt:2: medication \"m\" is listed twice"},
	    {"a|A|-|x\n", "m|Brand,|class|a\n", "medications.txt:1: empty brand name"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char err[256] = "";
		int rc;
		vocab *v = load(cases[i].cond, cases[i].meds, err, sizeof err, &rc);
		if (rc != -1 || strncmp(err, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("case %zu: rc %d, message \"%s\", wanted \"%s\"", i, rc, err, cases[i].msg);
		vocab_free(v);
	}
}

static void test_expansion(void **state)
{
	(void)state;
	char err[256];
	int rc;
	vocab *v = load(good_conditions, good_meds, err, sizeof err, &rc);
	assert_int_equal(rc, 2);
	arena *a = arena_new(0);
	assert_string_equal(search_query(a, v, "bp meds", false, false),
	                    "(\"bp\" OR \"high blood pressure\" OR \"hypertension\" OR \"hbp\" OR \"high bp\") AND \"meds\"");
	assert_string_equal(search_query(a, v, "BP meds", true, true),
	                    "(bp | high <-> blood <-> pressure | hypertension | hbp | high <-> bp) | meds");
	assert_string_equal(search_query(a, v, "losartan", false, false), "(\"losartan\" OR \"cozaar\")");
	/* Longest match wins, and a term naming two conditions brings both. */
	assert_string_equal(search_query(a, v, "eye twitching", false, false),
	                    "(\"eye twitching\" OR \"blepharospasm\" OR \"eyelid spasm\" OR \"hemifacial spasm\" OR "
	                    "\"face twitching\")");
	/* Quotes, operators and markup never reach the engine. */
	assert_string_equal(search_query(a, v, "\"x\" OR (y)* NEAR: -z", false, false),
	                    "\"x\" AND \"or\" AND \"y\" AND \"near\" AND \"z\"");
	assert_string_equal(search_query(a, v, "a & b | !c <-> d:*", false, true), "a & b & c & d");
	assert_string_equal(search_query(a, v, "  ?!  ", false, false), "");
	/* Without a vocabulary the words pass through. */
	assert_string_equal(search_query(a, NULL, "bp", false, false), "\"bp\"");
	arena_free(a);
	vocab_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtin_loads),
	    cmocka_unit_test(test_good_file),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_expansion),
	};
	return cmocka_run_group_tests(tests, 0, NULL);
}
