package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"dsn/internal/language/langtest"
	"dsn/internal/language/words"
)

// TestCLIWordsBothLanguages: every sentence of the command line's catalogue
// has French and English with the same arguments, every id the code says
// (say, refusal, refusalOf) is in it, and every id in it is said somewhere.
func TestCLIWordsBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`(?:\bsay\(env, |\brefusal\(|\bcliWords\[|\bsayIn\(l, |\bcliFail\([^,()]+, [^,()]+, |\bparseOneFlag\((?:[^()]|\([^()]*\))*, |\brefusalOf\([^,()]+, )"([a-z][a-z0-9.-]*)"`)
	used := langtest.Check(t, cliWords, ids, "words.go", len(cliWords)-len(clientDone))
	for _, id := range clientDone { // said through the map
		used[id]++
	}
	for id := range cliWords {
		if used[id] == 0 {
			t.Errorf("message %s is in the catalogue, used nowhere", id)
		}
	}
}

// TestCLILanguages: the command line's refusals are French by default and
// English with DSN_LANG=en (en_CA.UTF-8 too); LANG is not read.
func TestCLILanguages(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args   []string
		fr, en string
	}{
		{[]string{"licorne"}, `dsn : commande inconnue "licorne" (voir dsn help)`, `dsn: unknown command "licorne" (see dsn help)`},
		{[]string{"reindex", "--data", dir, "--type", "Licorne"}, `dsn reindex: --type "Licorne" : type de ressource inconnu`, `dsn reindex: --type "Licorne": unknown resource type`},
		{[]string{"export", "--data", dir}, "dsn export : un répertoire de sortie OUTDIR attendu", "dsn export: an output directory OUTDIR expected"},
		{[]string{"export", "--data", dir, "--since", "hier", t.TempDir()}, `--since "hier" : instant RFC 3339 attendu`, `--since "hier": RFC 3339 instant expected`},
		{[]string{"token", "--data", dir}, "dsn token: --user est requis", "dsn token: --user is required"},
		{[]string{"client", "enable", "--data", dir}, "dsn client: --id attendu (le client_id)", "dsn client: --id expected (the client_id)"},
		{[]string{"mpi", "report", "--data", dir, "--threshold", "beaucoup"}, `--threshold: probable, certain ou un nombre de bits, reçu "beaucoup"`, `--threshold: probable, certain or a number of bits, got "beaucoup"`},
		{[]string{"mpi"}, "dsn mpi : report, link ou config attendu", "dsn mpi: report, link or config expected"},
		{[]string{"serve", "--data", dir, "--addr", "0.0.0.0:0", "--access", "off"}, `--access off : seulement avec une --addr de boucle locale`, `--access off: only with a loopback --addr`},
	}
	for _, c := range cases {
		for _, env := range []struct {
			vars map[string]string
			want string
		}{
			{map[string]string{"LANG": "en_US.UTF-8"}, c.fr},
			{map[string]string{"DSN_LANG": "en"}, c.en},
			{map[string]string{"DSN_LANG": "en_CA.UTF-8"}, c.en},
			{map[string]string{"DSN_LANG": "fr"}, c.fr},
		} {
			var out, errb bytes.Buffer
			code := run(context.Background(), c.args, Env{Stdout: &out, Stderr: &errb,
				Getenv: func(k string) string { return env.vars[k] }})
			if code == 0 || !strings.Contains(errb.String(), env.want) {
				t.Errorf("dsn %v with %v: exit %d, stderr %q; want %q", c.args, env.vars, code, errb.String(), env.want)
			}
		}
	}
}

// A command's confirmation on stdout follows DSN_LANG too.
func TestCLIConfirmationLanguages(t *testing.T) {
	dir := t.TempDir()
	for lang, want := range map[string]string{"": "schéma à jour (", "en": "schema up to date ("} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"migrate", "--data", dir}, Env{Stdout: &out, Stderr: &errb,
			Getenv: func(k string) string {
				if k == "DSN_LANG" {
					return lang
				}
				return ""
			}})
		if code != 0 || !strings.HasPrefix(out.String(), want) {
			t.Errorf("dsn migrate with DSN_LANG=%q: exit %d, stdout %q, stderr %q; want %q", lang, code, out.String(), errb.String(), want)
		}
	}
}

// The demo's banner speaks the command line's language.
func TestDemoBannerLanguages(t *testing.T) {
	for l, want := range map[words.Tag][]string{
		words.French:  {"DÉMO – données fictives", "Population synthétique chargée : 12 ressources", "Exemple :"},
		words.English: {"DEMO – fictitious data", "Synthetic population loaded: 12 resources", "Example:"}} {
		var out strings.Builder
		printDemoBanner(&out, l, "127.0.0.1:8080", "data", 12, "GAGM80010112")
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s banner lacks %q: %s", l, w, out.String())
			}
		}
	}
}
