/*
 * html.h - the adviser's report (issue 12): one self-contained HTML file,
 * inline CSS and SVG, no script to run, no network, a strict
 * Content-Security-Policy, laid out for A4 print.
 *
 * The report is drawn from the result document exactly as `imeval
 * evaluate --format json` writes it (so every number in it is a number
 * of the JSON, which is embedded in the appendix), the sensitivity
 * analysis of each profile, and the inputs of each profile.  Sections,
 * for each authority: heading and headline, summary, ranking,
 * robustness, why each model scores as it does, what would change the
 * answer, timeline, partners, inputs; then method and limits, provenance
 * with sign-off and decision, appendix.  docs/report.md describes them.
 */
#ifndef IMV_REPORT_HTML_H
#define IMV_REPORT_HTML_H

#include <stdio.h>

#include "imeval.h"

struct cJSON;

/* One authority: borrowed JSON objects. */
typedef struct imv_report_authority {
    const struct cJSON *result;       /* one element of the document's "results" */
    const struct cJSON *sensitivity;  /* imv_sensitivity_json() of the profile, or NULL */
    const struct cJSON *inputs;       /* imv_report_inputs_json() of the profile */
    /* Decision and sign-offs from the register, or NULL for empty forms:
     * {"assessment": "...", "decision": {"text","rationale","by","at"} | null,
     *  "signoffs": [{"role","name","at","text"}]} */
    const struct cJSON *record;
} imv_report_authority;

typedef struct imv_report {
    const struct cJSON *doc;          /* the whole result document */
    const char *doc_text;             /* the same as written (embedded in the appendix) */
    const struct cJSON *sensitivity_doc; /* embedded too, or NULL */
    size_t n;
    const imv_report_authority *authorities;
    const imv_registry *reg;          /* for each model's evidence and parameter ranges */
    const char *generated;            /* "2026-12-01 19:30 UTC" */
    const char *command_line;         /* as typed, shell-quoted */
} imv_report;

/* Write the report to f.  Returns 0, or IMV_EIO when writing failed. */
int imv_report_write(FILE *f, const imv_report *r);

/* The inputs of a profile for the report: ratings (value, low, high,
 * kind), facts, size, grade and previous grades, current intervention,
 * partners, its `source`, and the warnings in diags that concern its
 * file.  Caller deletes. */
struct cJSON *imv_report_inputs_json(const imv_profile *p, const imv_diags *warnings);

#endif
