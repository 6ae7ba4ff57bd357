package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"dsn"
	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

// runFHIRPath evaluates a FHIRPath expression against a resource and prints the
// result as a JSON array of {"type","value"} items, written as the official
// FHIRPath test suite writes outputs ("@1974-12-25", "1 '1'").
//
//	dsn fhirpath [--input resource.json|-] [--var name=JSON]... [--valueset vs.json]... EXPR
//
// Without --input the expression runs against an empty context. A Bundle
// input lets resolve() find its entries; memberOf() answers from the ValueSets
// given with --valueset and those in an input Bundle.
func runFHIRPath(ctx context.Context, args []string, env Env) error {
	fs := newFlags("fhirpath", env)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Usage: dsn fhirpath [--input FILE|-] [--var name=JSON]... [--valueset FILE]... [--] EXPR\n"+
			"(put -- before an expression that starts with '-')")
		fs.PrintDefaults()
	}
	input := fs.String("input", "", "FHIR JSON resource to evaluate against (- for stdin)")
	vars := map[string]any{}
	fs.Func("var", "environment variable name=JSON value, available as %name (repeatable)", func(s string) error {
		name, val, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return cliFail("fhirpath", dsn.KindInvalid, "fhirpath.var")
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(val))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			v = val // a bare word is a string
		}
		vars[name] = jsonToItem(v)
		return nil
	})
	var valueSets []map[string]any
	fs.Func("valueset", "ValueSet JSON file answering memberOf() (repeatable)", func(path string) error {
		vs, err := readResource(path, env.Stdin)
		if err == nil && fhir.ResourceType(vs) != "ValueSet" {
			err = cliFail("fhirpath", dsn.KindInvalid, "fhirpath.valueset", path)
		}
		valueSets = append(valueSets, vs)
		return err
	})
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	expr, err := fhirpath.Compile(fs.Arg(0))
	if err != nil {
		return err
	}
	opts := &fhirpath.Options{Model: fhir.R4(), Variables: vars}
	var res map[string]any
	if *input != "" {
		if res, err = readResource(*input, env.Stdin); err != nil {
			return err
		}
		if fhir.ResourceType(res) == "Bundle" {
			opts.Resolver = fhirpath.BundleResolver(res)
			valueSets = append(valueSets, bundleValueSets(res)...)
		}
	}
	opts.MemberOf = fhirpath.LocalValueSets(valueSets...)
	var in any
	if res != nil {
		in = res
	}
	out, err := expr.Evaluate(in, opts)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(fhirpath.Items(out))
}

func readResource(path string, stdin io.Reader) (map[string]any, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, dsn.Wrap("fhirpath", dsn.KindInvalid, err)
	}
	return fhir.Decode(b)
}

// jsonToItem turns a --var value into a FHIRPath item: numbers become
// Integer or Decimal, objects resources, arrays collections.
func jsonToItem(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil && !strings.ContainsAny(x.String(), ".eE") {
			return i
		}
		d, _ := fhirpath.ParseDecimal(x.String())
		return d
	case []any:
		out := make(fhirpath.Collection, 0, len(x))
		for _, it := range x {
			out = append(out, jsonToItem(it))
		}
		return out
	}
	return v
}

func bundleValueSets(bundle map[string]any) []map[string]any {
	var out []map[string]any
	entries, _ := bundle["entry"].([]any)
	for _, e := range entries {
		entry, _ := e.(map[string]any)
		if res, _ := entry["resource"].(map[string]any); fhir.ResourceType(res) == "ValueSet" {
			out = append(out, res)
		}
	}
	return out
}
