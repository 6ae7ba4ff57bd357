package repo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// patchOp is one operation of an RFC 6902 JSON Patch document.
type patchOp struct {
	Op    string          `json:"op"`
	Path  *string         `json:"path"`
	From  *string         `json:"from"`
	Value json.RawMessage `json:"value"`
}

// parsePatch reads a JSON Patch document (RFC 6902 §3: an array of operations).
func parsePatch(doc []byte) ([]patchOp, error) {
	var ops []patchOp
	if err := json.Unmarshal(doc, &ops); err != nil {
		return nil, fmt.Errorf("document JSON Patch illisible (RFC 6902 §3): %v", err)
	}
	for i, o := range ops {
		if o.Path == nil {
			return nil, fmt.Errorf("opération %d: « path » manquant", i)
		}
		switch o.Op {
		case "add", "replace", "test":
			if o.Value == nil {
				return nil, fmt.Errorf("opération %d (%s): « value » manquant", i, o.Op)
			}
		case "move", "copy":
			if o.From == nil {
				return nil, fmt.Errorf("opération %d (%s): « from » manquant", i, o.Op)
			}
		case "remove":
		default:
			return nil, fmt.Errorf("opération %d: op inconnue %q", i, o.Op)
		}
	}
	return ops, nil
}

// applyPatch applies ops to doc in order (RFC 6902 §5: all or nothing; the caller
// discards doc on error). It returns the new root.
func applyPatch(doc any, ops []patchOp) (any, error) {
	for i, o := range ops {
		var err error
		doc, err = applyOp(doc, o)
		if err != nil {
			return nil, fmt.Errorf("opération %d (%s %s): %w", i, o.Op, *o.Path, err)
		}
	}
	return doc, nil
}

func applyOp(doc any, o patchOp) (any, error) {
	switch o.Op {
	case "add", "replace", "test":
		v, err := decodeValue(o.Value)
		if err != nil {
			return nil, err
		}
		switch o.Op {
		case "add":
			return pointerAdd(doc, *o.Path, v)
		case "replace":
			if _, err := pointerGet(doc, *o.Path); err != nil {
				return nil, err
			}
			doc, _, err = pointerRemove(doc, *o.Path)
			if err != nil {
				return nil, err
			}
			return pointerAdd(doc, *o.Path, v)
		default:
			cur, err := pointerGet(doc, *o.Path)
			if err != nil {
				return nil, err
			}
			if !jsonEqual(cur, v) {
				return nil, fmt.Errorf("le test a échoué: valeur différente")
			}
			return doc, nil
		}
	case "remove":
		doc, _, err := pointerRemove(doc, *o.Path)
		return doc, err
	case "move":
		if strings.HasPrefix(*o.Path+"/", *o.From+"/") && *o.Path != *o.From {
			return nil, fmt.Errorf("on ne peut déplacer une valeur dans elle-même")
		}
		doc, v, err := pointerRemove(doc, *o.From)
		if err != nil {
			return nil, err
		}
		return pointerAdd(doc, *o.Path, v)
	case "copy":
		v, err := pointerGet(doc, *o.From)
		if err != nil {
			return nil, err
		}
		return pointerAdd(doc, *o.Path, cloneValue(v))
	}
	return nil, fmt.Errorf("op inconnue")
}

func decodeValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("valeur illisible: %v", err)
	}
	return v, nil
}

// jsonEqual compares two JSON values; numbers compare by value (RFC 6902 §4.6).
func jsonEqual(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		af, e1 := an.Float64()
		bf, e2 := bn.Float64()
		return e1 == nil && e2 == nil && af == bf
	}
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for k, v := range at {
			w, ok := bt[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		bt, ok := b.([]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for i := range at {
			if !jsonEqual(at[i], bt[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// splitPointer parses an RFC 6901 JSON Pointer into its unescaped tokens.
func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("pointeur JSON invalide %q (RFC 6901)", p)
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

// arrayIndex parses an array index token; "-" (end) is allowed when allowEnd.
func arrayIndex(tok string, n int, allowEnd bool) (int, error) {
	if tok == "-" && allowEnd {
		return n, nil
	}
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, fmt.Errorf("indice de tableau invalide %q", tok)
	}
	i, err := strconv.Atoi(tok)
	max := n - 1
	if allowEnd {
		max = n
	}
	if err != nil || i < 0 || i > max {
		return 0, fmt.Errorf("indice de tableau hors limites %q", tok)
	}
	return i, nil
}

// pointerGet returns the value at p.
func pointerGet(doc any, p string) (any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, err
	}
	cur := doc
	for _, t := range toks {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return nil, fmt.Errorf("chemin absent %q", p)
			}
			cur = v
		case []any:
			i, err := arrayIndex(t, len(c), false)
			if err != nil {
				return nil, err
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("chemin absent %q", p)
		}
	}
	return cur, nil
}

// pointerAdd adds v at p (RFC 6902 §4.1): sets a member, inserts into an
// array, or replaces the root when p is "".
func pointerAdd(doc any, p string, v any) (any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return v, nil
	}
	return doc, editParent(doc, toks, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			c[last] = v
			return c, nil
		case []any:
			i, err := arrayIndex(last, len(c), true)
			if err != nil {
				return nil, err
			}
			c = append(c, nil)
			copy(c[i+1:], c[i:])
			c[i] = v
			return c, nil
		}
		return nil, fmt.Errorf("le parent de %q n'est ni un objet ni un tableau", p)
	})
}

// pointerRemove removes the value at p and returns it (RFC 6902 §4.2).
func pointerRemove(doc any, p string) (any, any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, nil, err
	}
	if len(toks) == 0 {
		return nil, nil, fmt.Errorf("on ne peut retirer la racine du document")
	}
	var removed any
	err = editParent(doc, toks, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			v, ok := c[last]
			if !ok {
				return nil, fmt.Errorf("chemin absent %q", p)
			}
			removed = v
			delete(c, last)
			return c, nil
		case []any:
			i, err := arrayIndex(last, len(c), false)
			if err != nil {
				return nil, err
			}
			removed = c[i]
			return append(c[:i:i], c[i+1:]...), nil
		}
		return nil, fmt.Errorf("chemin absent %q", p)
	})
	return doc, removed, err
}

// editParent walks to the container of the last token and lets edit replace
// it (arrays change length, so the new slice is stored back in its parent).
func editParent(doc any, toks []string, edit func(parent any, last string) (any, error)) error {
	if len(toks) == 1 {
		if _, ok := doc.([]any); ok {
			return fmt.Errorf("la racine d'une ressource FHIR est un objet")
		}
		_, err := edit(doc, toks[0])
		return err
	}
	head, rest := toks[0], toks[1:]
	switch c := doc.(type) {
	case map[string]any:
		child, ok := c[head]
		if !ok {
			return fmt.Errorf("chemin absent /%s", head)
		}
		if len(rest) == 1 {
			n, err := edit(child, rest[0])
			if err == nil {
				c[head] = n
			}
			return err
		}
		return editParent(child, rest, edit)
	case []any:
		i, err := arrayIndex(head, len(c), false)
		if err != nil {
			return err
		}
		if len(rest) == 1 {
			n, err := edit(c[i], rest[0])
			if err == nil {
				c[i] = n
			}
			return err
		}
		return editParent(c[i], rest, edit)
	}
	return fmt.Errorf("chemin absent /%s", head)
}
