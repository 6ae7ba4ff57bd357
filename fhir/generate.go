package fhir

// The definition tables (r4.json.gz) are generated from the official R4 package,
// located and fetched by scripts/fhir-package. See README.md.
//go:generate sh -c "go run ./gen -pkg \"$(../scripts/fhir-package)\" -o r4.json.gz"
