// Command gen reads the official FHIR R4 package (hl7.fhir.r4.examples 4.0.1) and
// writes the compact definition tables that package fhir embeds: types and their
// elements (from StructureDefinition snapshots), primitive regexes, the codes of
// required bindings that the package can expand, search parameters and the
// Patient compartment. Run it with `go generate ./fhir`.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Output is the generated table; its JSON field names are decoded by
// fhir/definitions.go, which declares the same shape.
type Output struct {
	Types        []*TypeOut                `json:"types"`
	Regex        map[string]string         `json:"regex"`
	ValueSets    map[string]ValueSetOut    `json:"valueSets"`
	SearchParams map[string][]SearchOut    `json:"searchParams"`
	Compartment  map[string][]string       `json:"patientCompartment"`
	Invariants   map[string][]InvariantOut `json:"invariants"`
}

// InvariantOut is one FHIRPath constraint of an element (ElementDefinition.constraint).
type InvariantOut struct {
	Key        string `json:"key"`
	Severity   string `json:"severity"`
	Human      string `json:"human"`
	Expression string `json:"expr"`
}

// TypeOut is one type: a primitive, complex type, resource or backbone element.
type TypeOut struct {
	Name     string     `json:"name"`
	Kind     string     `json:"kind"` // primitive-type | complex-type | resource | backbone
	Base     string     `json:"base,omitempty"`
	Abstract bool       `json:"abstract,omitempty"`
	Elements []*ElemOut `json:"elements,omitempty"`
}

// ElemOut is one child element of a type.
type ElemOut struct {
	Name    string   `json:"n"` // JSON name; for value[x] the base "value"
	Types   []string `json:"t"` // type codes, or the backbone path
	Min     int      `json:"min,omitempty"`
	Max     int      `json:"max"`          // -1 for *
	Choice  bool     `json:"ch,omitempty"` // value[x]
	System  bool     `json:"sys,omitempty"`
	Targets []string `json:"tg,omitempty"`  // Reference/canonical target types
	VS      string   `json:"vs,omitempty"`  // required binding whose codes are in ValueSets
	Summary bool     `json:"sum,omitempty"` // isSummary: kept by _summary=true (search.html#summary)
}

// ValueSetOut maps a code system URL to the codes the value set includes from it.
type ValueSetOut map[string][]string

// SearchOut is one search parameter for one base.
type SearchOut struct {
	Code       string      `json:"code"`
	Type       string      `json:"type"`
	Expression string      `json:"expr,omitempty"`
	Targets    []string    `json:"targets,omitempty"`
	Components []Component `json:"comp,omitempty"`
	URL        string      `json:"url"`
}

// Component is one part of a composite search parameter.
type Component struct {
	Param      string `json:"param"`
	Expression string `json:"expr"`
}

func main() {
	pkg := flag.String("pkg", "", "folder of the unpacked hl7.fhir.r4.examples package")
	out := flag.String("o", "r4.json.gz", "output file")
	flag.Parse()
	if *pkg == "" {
		log.Fatal("gen: -pkg is required")
	}
	o, err := generate(*pkg)
	if err != nil {
		log.Fatal(err)
	}
	if err := write(*out, o); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "gen: %d types, %d value sets, %d search bases -> %s\n",
		len(o.Types), len(o.ValueSets), len(o.SearchParams), *out)
}

// generate builds the tables from the package folder.
func generate(pkg string) (*Output, error) {
	res, err := loadPackage(pkg)
	if err != nil {
		return nil, err
	}
	o := &Output{Regex: map[string]string{}, ValueSets: map[string]ValueSetOut{},
		Invariants: map[string][]InvariantOut{}}
	if err := buildTypes(res, o); err != nil {
		return nil, err
	}
	buildValueSets(res, o)
	buildSearch(res, o)
	if err := buildCompartment(res, o); err != nil {
		return nil, err
	}
	return o, nil
}

// resources indexes the package's JSON resources by type.
type resources struct {
	byType map[string][]map[string]any
	byURL  map[string]map[string]any // canonical URL (without version) -> resource
}

func loadPackage(dir string) (*resources, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	r := &resources{byType: map[string][]map[string]any{}, byURL: map[string]map[string]any{}}
	wanted := map[string]bool{"StructureDefinition": true, "ValueSet": true, "CodeSystem": true,
		"SearchParameter": true, "CompartmentDefinition": true}
	for _, f := range files {
		base := filepath.Base(f)
		typ, _, _ := strings.Cut(base, "-")
		if !wanted[typ] {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("gen: %s: %w", base, err)
		}
		if m["resourceType"] != typ {
			continue
		}
		r.byType[typ] = append(r.byType[typ], m)
		if u := str(m, "url"); u != "" {
			if _, dup := r.byURL[u]; !dup {
				r.byURL[u] = m
			}
		}
	}
	if len(r.byType["StructureDefinition"]) == 0 {
		return nil, fmt.Errorf("gen: no StructureDefinition in %s", dir)
	}
	return r, nil
}

func write(path string, o *Output) error {
	for _, list := range o.SearchParams {
		sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
	}
	sort.Slice(o.Types, func(i, j int) bool { return o.Types[i].Name < o.Types[j].Name })
	js, err := json.Marshal(o) // maps are written with sorted keys: deterministic output
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(js)
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// str, list and obj read loosely typed JSON.
func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func list(m map[string]any, k string) []map[string]any {
	arr, _ := m[k].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, v := range arr {
		if o, ok := v.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func obj(m map[string]any, k string) map[string]any { o, _ := m[k].(map[string]any); return o }

func strs(m map[string]any, k string) []string {
	arr, _ := m[k].([]any)
	var out []string
	for _, v := range arr {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// canonical strips a "|version" suffix.
func canonical(u string) string { c, _, _ := strings.Cut(u, "|"); return c }

// lastSegment returns the part of a URL after its last slash.
func lastSegment(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }
