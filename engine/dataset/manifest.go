package dataset

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxProblemsPerFile stops reporting a file that is wrong on every line: past this many, one
// more problem says so and the rest of the file is skipped.
const maxProblemsPerFile = 1000

// record is one manifest row: its line and its scalar fields (JSON booleans become "true" or
// "false", numbers their literal text; arrays and objects are left out).
type record struct {
	Line   int
	Fields map[string]string
}

// manifest is a parsed manifest: the field names in file order and the records.
type manifest struct {
	fields  []string
	records []record
}

// parseManifest reads a CSV or JSON manifest, choosing by the file name's extension.
func parseManifest(r io.Reader, name string) (*manifest, []Problem) {
	if strings.EqualFold(path.Ext(name), ".json") {
		return parseJSONManifest(r, name)
	}
	return parseCSVManifest(r, name)
}

// parseCSVManifest reads a CSV manifest with a header row. Rows with the wrong number of fields
// and unparseable rows are problems naming the line.
func parseCSVManifest(r io.Reader, name string) (*manifest, []Problem) {
	var problems []Problem
	bad := func(line int, err error) { problems = append(problems, Problem{Path: name, Line: line, Err: err}) }
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			bad(0, errors.New("empty manifest: no header row"))
		} else {
			bad(1, fmt.Errorf("header: %w", err))
		}
		return &manifest{}, problems
	}
	m := &manifest{}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if h == "" {
			h = fmt.Sprintf("column%d", i+1)
		}
		if seen[h] {
			bad(1, fmt.Errorf("header names %q twice; the later column is ignored", h))
		}
		seen[h] = true
		m.fields = append(m.fields, h)
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if len(problems) >= maxProblemsPerFile {
			bad(0, errors.New("too many problems; the rest of the file is skipped"))
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad(pe.StartLine, pe.Err)
				continue
			}
			bad(0, fmt.Errorf("read: %w", err))
			break
		}
		line, _ := cr.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(row) != len(m.fields) {
			bad(line, fmt.Errorf("%d fields, but the header has %d", len(row), len(m.fields)))
			continue
		}
		rec := record{Line: line, Fields: make(map[string]string, len(row))}
		for i, v := range row {
			if _, dup := rec.Fields[m.fields[i]]; !dup {
				rec.Fields[m.fields[i]] = strings.TrimSpace(v)
			}
		}
		m.records = append(m.records, rec)
	}
	return m, problems
}

// parseJSONManifest reads either an object of records keyed by id (MUStARD's
// {"1_60": {...}}) or an array of records. Each record must be an object; a record that is not
// is a problem naming its line, and a syntax error stops the file at its line.
func parseJSONManifest(r io.Reader, name string) (*manifest, []Problem) {
	var problems []Problem
	bad := func(line int, err error) { problems = append(problems, Problem{Path: name, Line: line, Err: err}) }
	data, err := io.ReadAll(r)
	if err != nil {
		bad(0, fmt.Errorf("read: %w", err))
		return &manifest{}, problems
	}
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	m := &manifest{}
	fieldSeen := map[string]bool{}
	addField := func(f string) {
		if !fieldSeen[f] {
			fieldSeen[f] = true
			m.fields = append(m.fields, f)
		}
	}
	syntax := func(err error) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			bad(lines.at(se.Offset), fmt.Errorf("JSON: %w", err))
			return
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			bad(lines.at(int64(len(data))), errors.New("JSON: unexpected end of file"))
			return
		}
		bad(lines.at(dec.InputOffset()), fmt.Errorf("JSON: %w", err))
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			bad(0, errors.New("empty manifest"))
		} else {
			syntax(err)
		}
		return m, problems
	}
	open, ok := tok.(json.Delim)
	if !ok || (open != '{' && open != '[') {
		bad(1, errors.New("want an object of records keyed by id, or an array of records"))
		return m, problems
	}
	keyed := open == '{'
	for dec.More() {
		if len(problems) >= maxProblemsPerFile {
			bad(0, errors.New("too many problems; the rest of the file is skipped"))
			break
		}
		key := ""
		if keyed {
			tok, err := dec.Token()
			if err != nil {
				syntax(err)
				return m, problems
			}
			key, _ = tok.(string)
		}
		// The decoder's offset sits at the end of the previous token; the record starts at the
		// next non-space byte.
		line := lines.at(skipSpace(data, dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			syntax(err)
			return m, problems
		}
		var obj map[string]any
		rd := json.NewDecoder(bytes.NewReader(raw))
		rd.UseNumber()
		if err := rd.Decode(&obj); err != nil || obj == nil {
			if keyed {
				bad(line, fmt.Errorf("record %q is not an object", key))
			} else {
				bad(line, errors.New("record is not an object"))
			}
			continue
		}
		rec := record{Line: line, Fields: map[string]string{}}
		if keyed {
			rec.Fields["id"] = key
			addField("id")
		}
		for _, k := range sortedKeys(obj) {
			v, ok := scalar(obj[k])
			if !ok {
				continue
			}
			if keyed && k == "id" {
				// The key is the id; an inner "id" that disagrees is kept under its own name.
				k = "id_field"
			}
			rec.Fields[k] = v
			addField(k)
		}
		m.records = append(m.records, rec)
	}
	if _, err := dec.Token(); err != nil {
		syntax(err)
	}
	return m, problems
}

// scalar renders a JSON scalar as text; arrays and objects are not scalars.
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "", true
	}
	return "", false
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int64

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

func (l lineIndex) at(off int64) int {
	n, found := slices.BinarySearch(l, off)
	if found {
		return n + 1
	}
	return n
}

// Field names recognised when ManifestSpec leaves them empty, in order of preference.
func knownFields() map[string][]string {
	return map[string][]string{
		"id":    {"id", "clip_id", "track_id", "utterance_id", "uid", "key"},
		"path":  {"path", "file", "filename", "file_name", "filepath", "file_path", "fname", "audio", "audio_path", "audio_file", "wav", "slice_file_name"},
		"label": {"label", "class", "category", "genre", "class_name", "emotion", "word", "digit", "sarcasm"},
		"group": {"group", "speaker", "speaker_id", "client_id", "artist", "artist_id", "fsid", "src_file", "user", "subject"},
		"fold":  {"fold"},
		"take":  {"take"},
		"targets": {"valence", "arousal", "energy", "danceability", "dominance", "acousticness", "instrumentalness",
			"liveness", "speechiness", "tempo", "bpm", "loudness", "brightness"},
	}
}

// columns are the manifest fields chosen for each role ("" when absent).
type columns struct {
	id, path, label, group, fold, take string
	targets                            []string
}

// pickColumns matches the spec's field names (or the known ones) against the manifest's.
func pickColumns(fields []string, ms ManifestSpec) (columns, error) {
	byLower := map[string]string{}
	for _, f := range fields {
		if _, ok := byLower[strings.ToLower(f)]; !ok {
			byLower[strings.ToLower(f)] = f
		}
	}
	known := knownFields()
	pick := func(role, given string) (string, error) {
		if given != "" {
			f, ok := byLower[strings.ToLower(given)]
			if !ok {
				return "", fmt.Errorf("no %s field %q (fields: %s)", role, given, strings.Join(fields, ", "))
			}
			return f, nil
		}
		for _, k := range known[role] {
			if f, ok := byLower[k]; ok {
				return f, nil
			}
		}
		return "", nil
	}
	var c columns
	var err error
	for _, p := range []struct {
		dst        *string
		role, give string
	}{{&c.id, "id", ms.ID}, {&c.path, "path", ms.Path}, {&c.label, "label", ms.Label},
		{&c.group, "group", ms.Group}, {&c.fold, "fold", ms.Fold}, {&c.take, "take", ms.Take}} {
		if *p.dst, err = pick(p.role, p.give); err != nil {
			return c, err
		}
	}
	if len(ms.Targets) > 0 {
		for _, t := range ms.Targets {
			f, err := pick("target", t)
			if err != nil {
				return c, err
			}
			c.targets = append(c.targets, f)
		}
	} else {
		for _, k := range known["targets"] {
			if f, ok := byLower[k]; ok {
				c.targets = append(c.targets, f)
			}
		}
	}
	if c.id == "" && c.path == "" {
		return c, fmt.Errorf("no id or path field (fields: %s)", strings.Join(fields, ", "))
	}
	if c.label == "" && len(c.targets) == 0 {
		return c, fmt.Errorf("no label or regression target field (fields: %s)", strings.Join(fields, ", "))
	}
	return c, nil
}

// readManifest parses a manifest file named relative to the root (or absolute).
func (o *opener) readManifest(rel string) (*manifest, []Problem, error) {
	name := rel
	if !filepath.IsAbs(name) {
		name = o.t.abs(rel)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	m, problems := parseManifest(f, name)
	return m, problems, nil
}

// detectMUStARD recognises data/sarcasm_data.json.
func (o *opener) detectMUStARD() (string, error) {
	const labels = "data/sarcasm_data.json"
	if !o.t.has(labels) {
		return "", errors.New("no " + labels)
	}
	o.manifest = labels
	ms := &o.spec.Manifest
	if ms.Label == "" {
		ms.Label = "sarcasm"
	}
	if ms.Group == "" {
		ms.Group = "speaker"
	}
	if ms.PathTemplate == "" && ms.Path == "" {
		ms.PathTemplate = "utterances_final_wav/{id}.wav"
	}
	return fmt.Sprintf("%s with %s (MUStARD: label = %s, group = %s)", labels, ms.PathTemplate, ms.Label, ms.Group), nil
}

// detectManifest takes the named manifest, or the first .csv or .json at the top level or in
// meta/, metadata/ or data/ whose fields name the data files and a label or targets.
func (o *opener) detectManifest() (string, error) {
	candidates := []string{o.spec.Manifest.File}
	if o.spec.Manifest.File == "" {
		candidates = candidates[:0]
		for _, f := range o.t.files {
			dir, ext := path.Dir(f), strings.ToLower(path.Ext(f))
			if (ext == ".csv" || ext == ".json") && (dir == "." || dir == "meta" || dir == "metadata" || dir == "data") {
				candidates = append(candidates, f)
			}
		}
	}
	var reasons []string
	for _, f := range candidates {
		m, _, err := o.readManifest(f)
		if err != nil {
			if o.spec.Manifest.File != "" {
				return "", err
			}
			continue
		}
		cols, err := pickColumns(m.fields, o.spec.Manifest)
		if err != nil {
			reasons = append(reasons, f+": "+err.Error())
			continue
		}
		o.manifest = f
		return fmt.Sprintf("manifest %s: %s", f, cols.describe()), nil
	}
	if len(reasons) > 0 {
		return "", errors.New(strings.Join(reasons, "; "))
	}
	return "", errors.New("no .csv or .json manifest at the top level or in meta/, metadata/, data/")
}

func (c columns) describe() string {
	var parts []string
	for _, p := range [][2]string{{"id", c.id}, {"path", c.path}, {"label", c.label}, {"group", c.group}, {"fold", c.fold}, {"take", c.take}} {
		if p[1] != "" {
			parts = append(parts, p[0]+" = "+p[1])
		}
	}
	if len(c.targets) > 0 {
		parts = append(parts, "targets = "+strings.Join(c.targets, ", "))
	}
	return strings.Join(parts, ", ")
}

// buildManifest makes one item per record whose file exists. A record naming a missing file,
// a duplicate id, a non-numeric target or a bad fold is a problem naming the manifest line.
func (o *opener) buildManifest() error {
	c := o.c
	m, problems, err := o.readManifest(o.manifest)
	if err != nil {
		return fmt.Errorf("dataset %s: %w", c.Root, err)
	}
	c.Problems = append(c.Problems, problems...)
	cols, err := pickColumns(m.fields, o.spec.Manifest)
	if err != nil {
		return fmt.Errorf("dataset %s: manifest %s: %w", c.Root, o.manifest, err)
	}
	c.Task = Classify
	if cols.label == "" {
		c.Task = Regress
	}
	name := o.manifest
	if !filepath.IsAbs(name) {
		name = o.t.abs(name)
	}
	res := newResolver(o, path.Dir(filepath.ToSlash(o.manifest)))
	firstLine := map[string]int{}
	for _, rec := range m.records {
		bad := func(err error) { c.problem(name, rec.Line, err) }
		it, err := cols.item(rec)
		if err != nil {
			bad(err)
			continue
		}
		rel, abs, err := res.resolve(rec.Fields[cols.path], it.ID, o.spec.Manifest.PathTemplate)
		if err != nil {
			bad(err)
			continue
		}
		it.Path = abs
		if it.ID == "" {
			it.ID = rel
		}
		if prev, dup := firstLine[it.ID]; dup {
			bad(fmt.Errorf("duplicate id %q (first on line %d); skipped", it.ID, prev))
			continue
		}
		firstLine[it.ID] = rec.Line
		if it.Label != "" {
			o.declare(it.Label, name)
		}
		c.Items = append(c.Items, it)
	}
	return nil
}

// item reads one record's id, label, group, fold, take and targets.
func (c columns) item(rec record) (Item, error) {
	f := rec.Fields
	it := Item{ID: f[c.id], Label: f[c.label], RawLabel: f[c.label], Group: f[c.group], Take: f[c.take]}
	if c.id != "" && it.ID == "" {
		return it, fmt.Errorf("empty %s; skipped", c.id)
	}
	if c.id == "" && f[c.path] == "" {
		return it, fmt.Errorf("empty %s; skipped", c.path)
	}
	if c.label != "" && it.Label == "" {
		return it, fmt.Errorf("empty %s; skipped", c.label)
	}
	if v := f[c.fold]; c.fold != "" && v != "" {
		fold, err := strconv.Atoi(v)
		if err != nil || fold <= 0 {
			return it, fmt.Errorf("%s %q is not a positive number; skipped", c.fold, v)
		}
		it.Fold = fold
	}
	for _, t := range c.targets {
		v, err := strconv.ParseFloat(f[t], 64)
		if err != nil || v != v {
			return it, fmt.Errorf("%s %q is not a number; skipped", t, f[t])
		}
		if it.Targets == nil {
			it.Targets = map[string]float64{}
		}
		it.Targets[t] = v
	}
	return it, nil
}

// resolver finds the file a manifest record names: relative to the manifest's folder, to the
// root, through the path template, or by its base name anywhere in the tree when that is unique
// (ESC-50's meta/esc50.csv names files that live in audio/).
type resolver struct {
	o      *opener
	dir    string
	byBase map[string][]string
}

func newResolver(o *opener, dir string) *resolver { return &resolver{o: o, dir: dir} }

func (r *resolver) base(name string) []string {
	if r.byBase == nil {
		r.byBase = map[string][]string{}
		for _, f := range r.o.t.files {
			if mediaOf(f) != "" {
				r.byBase[path.Base(f)] = append(r.byBase[path.Base(f)], f)
			}
		}
	}
	return r.byBase[name]
}

// resolve returns the file's path relative to the root (or as given when absolute) and its
// absolute path.
func (r *resolver) resolve(given, id, template string) (rel, abs string, err error) {
	t := r.o.t
	if given == "" && template != "" {
		given = strings.ReplaceAll(template, "{id}", id)
	}
	if given != "" {
		if filepath.IsAbs(given) {
			if st, err := os.Stat(given); err == nil && st.Mode().IsRegular() {
				return given, given, nil
			}
			return "", "", fmt.Errorf("file %s not found; skipped", given)
		}
		g := path.Clean(filepath.ToSlash(given))
		for _, cand := range []string{path.Join(r.dir, g), g} {
			if t.has(cand) {
				return cand, t.abs(cand), nil
			}
		}
		if hits := r.base(path.Base(g)); len(hits) == 1 {
			return hits[0], t.abs(hits[0]), nil
		} else if len(hits) > 1 {
			return "", "", fmt.Errorf("%s is ambiguous: %d files have that name; skipped", given, len(hits))
		}
		return "", "", fmt.Errorf("file %s not found; skipped", given)
	}
	var hits []string
	for _, ext := range []string{".wav", ".flac", ".ogg", ".mp3", ".au", ".npy"} {
		hits = append(hits, r.base(id+ext)...)
	}
	if len(hits) == 1 {
		return hits[0], t.abs(hits[0]), nil
	}
	if len(hits) > 1 {
		return "", "", fmt.Errorf("id %s is ambiguous: %d files are named after it; skipped", id, len(hits))
	}
	return "", "", fmt.Errorf("no file for id %s; skipped", id)
}
