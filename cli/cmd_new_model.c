/* cmd_new_model.c - `imeval new-model NAME --lang c|lua`: a new model from
 * the templates in templates/ (installed in PREFIX/share/imeval/templates),
 * which builds and loads as it is. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char synopsis[] = "NAME --lang c|lua [--dir DIR]";
static const char about[] =
    "Write a new intervention model NAME into DIR (default ./NAME, which must not\n"
    "exist): the model (NAME.c or NAME.lua, a working rule with parameters,\n"
    "reasons citing the research and a timeline), a Makefile (make; make try; make\n"
    "check; make backtest), a test profile example-council.json and the outcomes\n"
    "expected on it, expected.tsv.  It builds and loads as it is.  NAME is the\n"
    "model id: a lower-case letter, then lower-case letters, digits or _.\n"
    "The C Makefile takes the SDK's flags from pkg-config imeval-plugin, searching\n"
    "first the pkg-config directory of this imeval (its build tree's before it is\n"
    "installed, PREFIX/lib/pkgconfig after).  Exit status: 0 written, 1 DIR exists\n"
    "or cannot be written, 2 usage error.\n\n"
    "example:  imeval new-model my_model --lang lua && cd my_model && make check";

/* One file of the scaffold: the template it comes from and its name. */
typedef struct tfile {
    const char *from; /* relative to the templates directory */
    const char *to;   /* a name starting with "." follows NAME: ".c" is NAME.c */
} tfile;

static const tfile c_files[] = {{"c/model.c", ".c"},
                                {"c/Makefile", "Makefile"},
                                {"common/example-council.json", "example-council.json"},
                                {"common/expected.tsv", "expected.tsv"},
                                {"common/README.md", "README.md"},
                                {NULL, NULL}};
static const tfile lua_files[] = {{"lua/model.lua", ".lua"},
                                  {"lua/Makefile", "Makefile"},
                                  {"common/example-council.json", "example-council.json"},
                                  {"common/expected.tsv", "expected.tsv"},
                                  {"common/README.md", "README.md"},
                                  {NULL, NULL}};

static int valid_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

typedef struct subst {
    const char *key, *value;
} subst;

/* Read a template and write it with every @KEY@ replaced. */
static int expand(const char *from, const char *to, const subst *s, size_t ns, char *err,
                  size_t errlen)
{
    FILE *in = fopen(from, "r");
    if (!in) {
        snprintf(err, errlen, "template %s: %s", from, strerror(errno));
        return -1;
    }
    FILE *out = fopen(to, "wx");
    if (!out) {
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        fclose(in);
        return -1;
    }
    char line[4096];
    int rc = 0;
    while (fgets(line, sizeof line, in)) {
        for (char *p = line; *p;) {
            char *at = strchr(p, '@');
            size_t k = ns;
            if (at)
                for (k = 0; k < ns; k++)
                    if (strncmp(at + 1, s[k].key, strlen(s[k].key)) == 0 &&
                        at[1 + strlen(s[k].key)] == '@')
                        break;
            if (!at || k == ns) {
                size_t n = at ? (size_t)(at - p) + 1 : strlen(p);
                fwrite(p, 1, n, out);
                p += n;
                continue;
            }
            fwrite(p, 1, (size_t)(at - p), out);
            fputs(s[k].value, out);
            p = at + strlen(s[k].key) + 2;
        }
    }
    if (ferror(in) || fclose(out) != 0) {
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        rc = -1;
    }
    fclose(in);
    chmod(to, 0644);
    return rc;
}

/* "my_model" -> "My model". */
static void title_of(const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s", name);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = ' ';
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

static void remove_written(const char *dir, char written[][PATH_MAX], size_t n)
{
    for (size_t i = 0; i < n; i++)
        unlink(written[i]);
    rmdir(dir);
}

static void print_result(int json, const char *name, const char *lang, const char *dir,
                         char files[][PATH_MAX], size_t n, const char *pcdir, const char *imeval)
{
    if (!json) {
        printf("wrote a %s model %s in %s/:\n", strcmp(lang, "c") == 0 ? "C" : "Lua", name, dir);
        for (size_t i = 0; i < n; i++)
            printf("  %s\n", files[i]);
        printf("next:  cd %s && %smake check && make try && make backtest\n", dir,
               strcmp(lang, "c") == 0 ? "make && " : "");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "lang", lang);
    cJSON_AddStringToObject(o, "dir", dir);
    cJSON *a = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(files[i]));
    if (pcdir[0])
        cJSON_AddStringToObject(o, "pkg_config_dir", pcdir);
    else
        cJSON_AddNullToObject(o, "pkg_config_dir");
    cJSON_AddStringToObject(o, "imeval", imeval);
    char *s = imv_json_print(o, 1);
    if (s)
        printf("%s\n", s);
    free(s);
    cJSON_Delete(o);
}

static int usage(const char *what)
{
    return cli_usage_error("new-model", "%s", what);
}

int cmd_new_model(int argc, char **argv)
{
    cli_cmd c;
    int rc = cli_begin(&c, argc, argv, CMD_NEW_MODEL, "new-model", synopsis, about);
    if (rc != CLI_GO)
        return cli_end(&c, rc);
    const cli_opts *op = &c.o;
    char msg[PATH_MAX + 200], tdir[PATH_MAX], imeval[PATH_MAX] = "imeval", pcdir[PATH_MAX] = "";
    rc = EXIT_USAGE;
    if (op->args.n != 1) {
        usage(op->args.n ? "give one NAME"
                         : "give the model's NAME, e.g. imeval new-model my_model --lang lua");
        goto done;
    }
    const char *name = op->args.v[0];
    if (!valid_name(name)) {
        snprintf(msg, sizeof msg,
                 "NAME \"%.80s\": not a model id: a lower-case letter, then "
                 "lower-case letters, digits or _, at most 64 (e.g. my_model)",
                 name);
        usage(msg);
        goto done;
    }
    if (!op->lang || (strcmp(op->lang, "c") != 0 && strcmp(op->lang, "lua") != 0)) {
        usage(op->lang ? "--lang: expected c or lua" : "--lang c or --lang lua is required");
        goto done;
    }
    if (op->format >= 0 && op->format != IMV_FMT_TABLE && op->format != IMV_FMT_JSON) {
        usage("--format: new-model writes table or json");
        goto done;
    }
    const char *dir = op->dir ? op->dir : name;
    struct stat st;
    rc = EXIT_PARTIAL;
    if (lstat(dir, &st) == 0) {
        cli_error("new-model",
                  "%s: already exists (nothing was written; choose another --dir, "
                  "or remove it)",
                  dir);
        goto done;
    }
    if (imv_data_path("templates", tdir, sizeof tdir)) {
        cli_error("new-model", "templates: not found beside the program (build tree: "
                               "templates/; installed: PREFIX/share/imeval/templates; or set "
                               "IMEVAL_DATA_DIR)");
        goto done;
    }
    char *real = realpath("/proc/self/exe", NULL);
    if (real) {
        snprintf(imeval, sizeof imeval, "%s", real);
        free(real);
    }
    imv_sdk_pkgconfig_dir(pcdir, sizeof pcdir);
    if (mkdir(dir, 0755) != 0) {
        cli_error("new-model", "%s: cannot create it: %s", dir, strerror(errno));
        goto done;
    }
    chmod(dir, 0755); /* imeval refuses a model directory that others can write */
    int is_c = strcmp(op->lang, "c") == 0;
    char title[80], file[80], build_note[80];
    title_of(name, title, sizeof title);
    snprintf(file, sizeof file, "%s.%s", name, is_c ? "c" : "lua");
    char loaded[90];
    snprintf(loaded, sizeof loaded, "%s.%s", name, is_c ? "so" : "lua");
    snprintf(build_note, sizeof build_note, "%s", is_c ? "; `make` builds the .so" : "");
    const subst subs[] = {{"ID", name},       {"TITLE", title},
                          {"IMEVAL", imeval}, {"PKG_CONFIG_DIR", pcdir},
                          {"LANG", op->lang}, {"FILE", file},
                          {"LOADED", loaded}, {"BUILD_NOTE", build_note}};
    char written[8][PATH_MAX];
    size_t n = 0;
    for (const tfile *t = is_c ? c_files : lua_files; t->from; t++, n++) {
        char from[PATH_MAX + 64], to_name[128];
        snprintf(from, sizeof from, "%s/%s", tdir, t->from);
        snprintf(to_name, sizeof to_name, "%s%s", t->to[0] == '.' ? name : "", t->to);
        snprintf(written[n], sizeof written[n], "%s/%s", dir, to_name);
        if (expand(from, written[n], subs, sizeof subs / sizeof subs[0], msg, sizeof msg)) {
            cli_error("new-model", "%s (nothing was kept)", msg);
            remove_written(dir, written, n + 1);
            goto done;
        }
    }
    print_result(op->format == IMV_FMT_JSON, name, op->lang, dir, written, n, pcdir, imeval);
    rc = fflush(stdout) == 0 ? 0 : EXIT_PARTIAL;
done:
    return cli_end(&c, rc);
}
