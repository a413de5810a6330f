/*
 * output.h - writing evaluations as JSON (RESULT-FORMAT.md), an aligned
 * table, CSV or Markdown, one profile at a time so that output streams.
 */
#ifndef IMV_OUTPUT_H
#define IMV_OUTPUT_H

#include <stdio.h>

#include "imeval.h"

typedef enum imv_format {
    IMV_FMT_TABLE,
    IMV_FMT_JSON,
    IMV_FMT_CSV,
    IMV_FMT_MARKDOWN
} imv_format;

/* "table", "json", "csv", "markdown" (or "md"); -1 when unknown. */
int imv_format_parse(const char *name);

typedef struct imv_output imv_output;

/* Start writing to f (borrowed).  explain adds reasons, preconditions,
 * risks and timelines to the table and Markdown formats (JSON always has
 * them).  reg is borrowed and must outlive the output. */
imv_output *imv_output_new(FILE *f, imv_format fmt, int explain, const imv_registry *reg,
                           const char *extra_header_json);
/* Each returns 0, or IMV_EIO when writing failed. */
int imv_output_begin(imv_output *o);
int imv_output_evaluation(imv_output *o, const imv_evaluation *e);
/* Close the document; JSON lists every error in diags.  Frees o. */
int imv_output_end(imv_output *o, const imv_diags *diags);

/* One model's full reasoning on one profile, as text. */
int imv_output_explain_text(FILE *f, const imv_evaluation *e, size_t result_index);

/* The JSON object of one ranking entry / one evaluation (caller frees
 * with cJSON_Delete). */
struct cJSON *imv_output_ranking_json(const imv_evaluation *e, size_t rank);
struct cJSON *imv_output_evaluation_json(const imv_evaluation *e);

/* Round to one decimal, as every score in the output is (core/format.c). */
double imv_round1(double x);

/* Write text to f wrapped at width: the cursor is at column col, every
 * line after the first starts at column indent; words longer than a line
 * are broken (after a comma when one is near, never inside a UTF-8
 * character).  Ends the line.  IMV_OK, or IMV_EIO when writing failed. */
int imv_wrap(FILE *f, const char *text, int col, int indent, int width);

#endif
