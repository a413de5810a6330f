/*
 * provenance.h - how a result was produced, so that a reader can check it
 * and run it again: the engine's version and build, the command that
 * reproduces the result, the draws and seed, the SHA-256 of every profile
 * file and model file, and the SHA-256 of the result itself.
 *
 * The JSON block (imv_provenance_json) is deterministic: the same inputs,
 * models, parameters and seed give the same bytes.  The wall-clock time
 * and the command line exactly as typed (which names -o, --jobs and the
 * like, none of which change the result) go in only when asked for
 * (with_stamp), never by default.
 *
 * The result hash is the SHA-256 of the results in compact JSON, one
 * evaluation a line, each followed by "\n": what
 *     jq -c '.results[]' result.json | sha256sum
 * prints for the file imeval wrote.
 */
#ifndef IMV_PROVENANCE_H
#define IMV_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "imeval.h"
#include "sha256.h"

struct cJSON;
typedef struct imv_provenance imv_provenance;

imv_provenance *imv_provenance_new(void);
void imv_provenance_free(imv_provenance *p);

/* The command that reproduces the result (canonical: only what changes
 * the result), and the command line exactly as typed with the time it
 * ran (for the stamp).  Both are copied; argv may be NULL. */
void imv_provenance_set_command(imv_provenance *p, const char *reproduce, int argc,
                                char *const *argv);
void imv_provenance_set_draws(imv_provenance *p, size_t draws, uint64_t seed, int vary_parameters);
/* The run's start, seconds since the epoch (for the stamp); 0 for now. */
void imv_provenance_set_time(imv_provenance *p, long long epoch_seconds);

/* Hash one profile file ("-" is recorded as standard input, unhashed).
 * Returns 0, or -1 when the file cannot be read (recorded with
 * "sha256": null and the reason; the run reports the file itself). */
int imv_provenance_add_profile(imv_provenance *p, const char *path);
/* Record every model of reg: id, version, language, file name, its
 * SHA-256, and the parameters set away from their defaults. */
void imv_provenance_add_models(imv_provenance *p, const imv_registry *reg);

/* Feed one evaluation's JSON object (the one written in "results") to the
 * result hash, in output order. */
void imv_provenance_add_result(imv_provenance *p, const struct cJSON *evaluation);
/* The result hash so far, as hex (IMV_SHA256_HEX bytes); the hash is not
 * disturbed, more results may follow. */
void imv_provenance_result_hex(const imv_provenance *p, char hex[IMV_SHA256_HEX]);
size_t imv_provenance_result_count(const imv_provenance *p);

/* The "provenance" object (caller deletes).  with_stamp adds "time"
 * (UTC, ISO 8601) and "argv". */
struct cJSON *imv_provenance_json(const imv_provenance *p, int with_stamp);

/* Build facts for people: "gcc 12.2.0", the git commit the binary was
 * built from ("unknown" outside a checkout), Lua and cJSON versions. */
const char *imv_provenance_compiler(void);
const char *imv_provenance_commit(void);

/* Quote one argument for a POSIX shell when it needs it (caller frees). */
char *imv_shell_quote(const char *arg);

#endif
