package mpi

import (
	"encoding/json"
	"fmt"
	"math"

	"dsn"
	"dsn/internal/language/words"
)

// Class is the outcome of comparing two records.
type Class int

// The three outcomes of the issue: link automatically, send to the review
// queue, or leave apart.
const (
	NoMatch Class = iota
	Probable
	Certain
)

// String gives the French word an archivist sees.
func (c Class) String() string { return c.In(words.French) }

// classWords are the classes as an archivist reads them.
var classWords = [...]words.Text{
	{FR: "aucune correspondance", EN: "no match"},
	{FR: "probable (à réviser)", EN: "probable (to review)"},
	{FR: "certain", EN: "certain"},
}

// In is the class in l.
func (c Class) In(l words.Tag) string { return classWords[c].In(l) }

// Config is a Fellegi–Sunter model (Fellegi & Sunter 1969): for each field,
// ordered agreement levels with m = P(level | same person) and
// u = P(level | different people); a level weighs log2(m/u) unless Weight
// overrides it. Scores at or above Certain link automatically, at or above
// Probable go to review. It is plain JSON so an archivist can tune it.
type Config struct {
	Fields   []FieldConfig `json:"fields"`
	Certain  float64       `json:"certain"`
	Probable float64       `json:"probable"`
	// FrequencyAdjust lowers the weight of an exact name agreement by the
	// name's frequency in the index: two "Tremblay" agree less than two "Zylberberg".
	FrequencyAdjust bool `json:"frequencyAdjust"`
}

// FieldConfig is one compared field. Label is French, LabelEN the same in
// English (an explanation follows the caller's language); a model without
// LabelEN (written before it existed) explains in English with the built-in
// label of the same field (labels).
type FieldConfig struct {
	Name    string        `json:"name"`
	Label   string        `json:"label"`
	LabelEN string        `json:"labelEn,omitempty"`
	Levels  []LevelConfig `json:"levels"`
}

// LevelConfig is one agreement level of a field (Label French, LabelEN
// English, as FieldConfig's).
type LevelConfig struct {
	Name    string   `json:"name"`
	Label   string   `json:"label"`
	LabelEN string   `json:"labelEn,omitempty"`
	M       float64  `json:"m"`
	U       float64  `json:"u"`
	Weight  *float64 `json:"weight,omitempty"`
}

// W is the level's weight in bits.
func (l LevelConfig) W() float64 {
	if l.Weight != nil {
		return *l.Weight
	}
	return math.Log2(l.M / l.U)
}

// ParseConfig reads and checks a JSON model.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, dsn.Errorf("mpi.ParseConfig", dsn.KindInvalid, "configuration d'appariement illisible: %v", err)
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Check verifies the model has the fields and levels the comparators produce
// and usable probabilities and thresholds.
func (c *Config) Check() error {
	want := DefaultConfig()
	if len(c.Fields) != len(want.Fields) {
		return cfgErr("il faut %d champs, pas %d", len(want.Fields), len(c.Fields))
	}
	for i, f := range c.Fields {
		w := want.Fields[i]
		if f.Name != w.Name || len(f.Levels) != len(w.Levels) {
			return cfgErr("le champ %d doit être %q avec %d niveaux", i+1, w.Name, len(w.Levels))
		}
		for _, l := range f.Levels {
			if l.Weight == nil && (l.M <= 0 || l.U <= 0 || l.M > 1 || l.U > 1) {
				return cfgErr("champ %s, niveau %s: m et u doivent être dans ]0, 1]", f.Name, l.Name)
			}
		}
	}
	if c.Probable > c.Certain {
		return cfgErr("le seuil « probable » (%g) dépasse le seuil « certain » (%g)", c.Probable, c.Certain)
	}
	return nil
}

func cfgErr(format string, args ...any) error {
	return dsn.Errorf("mpi.Config", dsn.KindInvalid, "%s", fmt.Sprintf(format, args...))
}

// JSON returns the model as indented JSON.
func (c *Config) JSON() []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return b
}

// Clone returns a deep copy (EM estimates into a copy).
func (c *Config) Clone() *Config {
	var out Config
	_ = json.Unmarshal(c.JSON(), &out)
	return &out
}
