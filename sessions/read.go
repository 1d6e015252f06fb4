package sessions

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/hark-audio/hark/engine/train"
)

// Errors a ParseError wraps (test them with errors.Is).
var (
	ErrEmpty      = errors.New("empty file")
	ErrTruncated  = errors.New("truncated")
	ErrSyntax     = errors.New("not valid JSON")
	ErrNotSession = errors.New("not a Hark session file")
	ErrVersion    = errors.New("unsupported session format version")
	ErrInvalid    = errors.New("invalid session")
	ErrChecksum   = errors.New("checksum mismatch")
	ErrNoChecksum = errors.New("no checksum")
)

// ParseError is a session file that cannot be read, with where the problem is.
type ParseError struct {
	// File is the file name given to Parse.
	File string
	// Line and Column (1-based, in bytes) locate the problem in the file; 0 when unknown.
	Line, Column int
	// Path is the member the problem is in, e.g. "steps[2](run).run.events[4](epoch_done).val_loss"
	// (array indexes from 0; the kind of a step or an event in parentheses); "" for problems
	// of the whole file.
	Path string
	// Msg says what is wrong; Err is one of the Err* values above.
	Msg string
	Err error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ParseOptions changes how strictly a file is read. The zero value is strict.
type ParseOptions struct {
	// IgnoreChecksum reads a file whose checksum is missing or wrong (a hand-edited or
	// hand-written file) instead of refusing it; Session.Integrity then says "missing" or
	// "mismatch". Everything else is still checked.
	IgnoreChecksum bool
}

// Read reads and checks a session file.
func Read(path string) (*Session, error) { return ReadWith(path, ParseOptions{}) }

// ReadWith reads a session file with options.
func ReadWith(path string, opt ParseOptions) (*Session, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	s, err := ParseWith(data, path, opt)
	if err != nil {
		return nil, err
	}
	s.File = path
	return s, nil
}

// Parse reads a session from data; name (the file's path) is used in errors. A truncated,
// malformed, wrong-version, inconsistent or tampered document is a *ParseError naming the
// place (line:column and the member's path) and the problem.
func Parse(data []byte, name string) (*Session, error) {
	return ParseWith(data, name, ParseOptions{})
}

// ParseWith is Parse with options.
func ParseWith(data []byte, name string, opt ParseOptions) (*Session, error) {
	perr := func(kind error, off int, path string, format string, args ...any) *ParseError {
		e := &ParseError{File: name, Path: path, Msg: fmt.Sprintf(format, args...), Err: kind}
		if off >= 0 {
			e.Line, e.Column = lineCol(data, off)
		}
		return e
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, perr(ErrEmpty, -1, "", "empty file: no session in it")
	}
	tree, err := parseTree(data)
	if err != nil {
		var se *json.SyntaxError
		var te *trailingError
		switch {
		case errors.As(err, &te):
			return nil, perr(ErrSyntax, te.offset, "", "JSON syntax error: more data after the end of the session document")
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return nil, perr(ErrTruncated, len(data), "", "truncated: the file ends before the JSON document does (%d bytes; an interrupted copy?)", len(data))
		case errors.As(err, &se):
			return nil, perr(ErrSyntax, int(se.Offset)-1, "", "JSON syntax error: %s", se.Error())
		default:
			return nil, perr(ErrSyntax, -1, "", "JSON: %v", err)
		}
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return nil, perr(ErrNotSession, 0, "", "%s: the document is %s, not an object", ErrNotSession, describe(tree))
	}
	if f, _ := top["format"].(string); f != Format {
		return nil, perr(ErrNotSession, locateOr(data, []pathElem{{key: "format", index: -1}}), "format",
			"%s: want \"format\": %q, got %s", ErrNotSession, Format, describeMember(top, "format"))
	}
	if v, _ := top["version"].(json.Number); v.String() != fmt.Sprint(FormatVersion) {
		at := locateOr(data, []pathElem{{key: "version", index: -1}})
		if n, err := v.Int64(); err == nil && n > FormatVersion {
			return nil, perr(ErrVersion, at, "version", "session format version %d is newer than this Hark (%s) reads (%d): use a newer hark", n, harkVersion(), FormatVersion)
		}
		return nil, perr(ErrVersion, at, "version", "unsupported session format version %s (this Hark reads version %d)", describeMember(top, "version"), FormatVersion)
	}

	s := new(Session)
	d := &decoder{cache: fieldCache{}}
	if err := d.value(reflect.ValueOf(s).Elem(), tree); err != nil {
		var de *decodeError
		if errors.As(err, &de) {
			annotate(de.path, tree)
			return nil, perr(ErrInvalid, locateOr(data, de.path), formatPath(de.path), "%s", de.msg)
		}
		return nil, perr(ErrInvalid, -1, "", "%v", err)
	}
	if err := validate(s); err != nil {
		var de *decodeError
		if errors.As(err, &de) {
			annotate(de.path, tree)
			return nil, perr(ErrInvalid, locateOr(data, de.path), formatPath(de.path), "%s", de.msg)
		}
		return nil, perr(ErrInvalid, -1, "", "%v", err)
	}

	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil { // cannot fail: the data parsed
		return nil, perr(ErrSyntax, -1, "", "JSON: %v", err)
	}
	canon, _, found := splitChecksum(compact.Bytes())
	s.Integrity = "ok"
	switch {
	case !found || s.Checksum == "":
		if !opt.IgnoreChecksum {
			return nil, perr(ErrNoChecksum, -1, "checksum", "no checksum: the file was not written by Hark's recorder (read it anyway with --ignore-checksum)")
		}
		s.Integrity = "missing"
	case s.Checksum != digest(canon):
		if !opt.IgnoreChecksum {
			return nil, perr(ErrChecksum, locateOr(data, []pathElem{{key: "checksum", index: -1}}), "checksum",
				"checksum mismatch: the file was changed after Hark wrote it (hand-edited or corrupted); read it anyway with --ignore-checksum")
		}
		s.Integrity = "mismatch"
	}
	return s, nil
}

// Marshal writes a session as an indented JSON document with a fresh checksum (the last
// member). It checks the session first: Marshal never writes what Parse would refuse.
func Marshal(s *Session) ([]byte, error) {
	c := *s
	c.Checksum = ""
	if c.Format == "" {
		c.Format = Format
	}
	if c.Version == 0 {
		c.Version = FormatVersion
	}
	if err := validate(&c); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	compact, err := encodeJSON(&c)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	sum := digest(compact)
	compact = append(compact[:len(compact)-1], `,"checksum":"`...)
	compact = append(compact, sum...)
	compact = append(compact, `"}`...)
	return indentJSON(compact), nil
}

// indentJSON indents compact JSON by two spaces per level, keeping arrays of plain values
// (shapes, class lists, rows of the confusion matrix) on one line when they are short.
func indentJSON(c []byte) []byte {
	out := make([]byte, 0, len(c)+len(c)/2)
	depth := 0
	newline := func() {
		out = append(out, '\n')
		for range depth {
			out = append(out, ' ', ' ')
		}
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		switch ch {
		case '"':
			j := stringEnd(c, i)
			out = append(out, c[i:j+1]...)
			i = j
		case '{', '[':
			if i+1 < len(c) && (c[i+1] == '}' || c[i+1] == ']') {
				out = append(out, ch, c[i+1])
				i++
				continue
			}
			if j := flatArrayEnd(c, i); j > 0 {
				for k := i; k <= j; k++ {
					if c[k] == '"' {
						e := stringEnd(c, k)
						out = append(out, c[k:e+1]...)
						k = e
						continue
					}
					out = append(out, c[k])
					if c[k] == ',' {
						out = append(out, ' ')
					}
				}
				i = j
				continue
			}
			out = append(out, ch)
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			out = append(out, ch)
		case ',':
			out = append(out, ',')
			newline()
		case ':':
			out = append(out, ':', ' ')
		default:
			out = append(out, ch)
		}
	}
	return append(out, '\n')
}

// stringEnd returns the index of the quote that closes the string opening at i.
func stringEnd(c []byte, i int) int {
	for j := i + 1; j < len(c); j++ {
		switch c[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(c) - 1
}

// flatArrayEnd returns the index of the ']' closing the array at i when it holds no objects or
// arrays and is short, else -1.
func flatArrayEnd(c []byte, i int) int {
	if c[i] != '[' {
		return -1
	}
	for j := i + 1; j < len(c) && j-i < 120; j++ {
		switch c[j] {
		case '"':
			j = stringEnd(c, j)
		case '{', '[':
			return -1
		case ']':
			return j
		}
	}
	return -1
}

// digest is the checksum of canonical content.
func digest(canon []byte) string {
	h := sha256.Sum256(canon)
	return "sha256:" + hex.EncodeToString(h[:])
}

// Checksum computes what the checksum of a session document should be: the SHA-256 of its
// canonical content, the compact JSON (json.Compact: no insignificant white space, members in
// the file's order, numbers and strings exactly as written) of the document without its
// top-level "checksum" member.
func Checksum(data []byte) (string, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return "", err
	}
	canon, _, _ := splitChecksum(compact.Bytes())
	return digest(canon), nil
}

// splitChecksum removes the top-level "checksum" member (and a comma next to it) from compact
// JSON, returning the rest, the member's raw value and whether there was one.
func splitChecksum(c []byte) (canon, value []byte, found bool) {
	depth, inStr, esc := 0, false, false
	start, keyEnd := -1, -1
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case ch == '\\':
				esc = true
			case ch == '"':
				inStr = false
				if depth == 1 && start >= 0 && keyEnd < 0 {
					keyEnd = i + 1
				}
			}
			continue
		}
		end := -1
		switch ch {
		case '"':
			inStr = true
			if depth == 1 && start < 0 {
				start = i
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				end = i
			}
		case ',':
			if depth == 1 {
				end = i
			}
		}
		if end < 0 || start < 0 {
			continue
		}
		if !found && keyEnd > 0 && string(c[start:keyEnd]) == `"checksum"` {
			value = slices.Clone(c[keyEnd+1 : end])
			cut0, cut1 := start, end
			switch {
			case start > 0 && c[start-1] == ',':
				cut0 = start - 1
			case c[end] == ',':
				cut1 = end + 1
			}
			canon = append(slices.Clone(c[:cut0]), c[cut1:]...)
			return canon, value, true
		}
		start, keyEnd = -1, -1
	}
	return c, nil, false
}

// validate checks what the types cannot: kinds, references, the order of events.
func validate(s *Session) error {
	fail := func(path []pathElem, format string, args ...any) error {
		return &decodeError{path: path, msg: fmt.Sprintf(format, args...)}
	}
	key := func(k string) pathElem { return pathElem{key: k, index: -1} }
	idx := func(k string, i int) []pathElem { return []pathElem{key(k), {index: i}} }
	if s.Format != Format {
		return fail([]pathElem{key("format")}, "want %q", Format)
	}
	if s.Version != FormatVersion {
		return fail([]pathElem{key("version")}, "want %d", FormatVersion)
	}
	if s.Hark == "" {
		return fail([]pathElem{key("hark")}, "missing: the Hark version that wrote the file")
	}
	if s.Created.IsZero() {
		return fail([]pathElem{key("created")}, "missing: when the session was created")
	}
	for i, d := range s.Datasets {
		if d.Path == "" {
			return fail(append(idx("datasets", i), key("path")), "missing: the dataset's path")
		}
	}
	dsOK := func(p *int) bool { return p == nil || *p >= 0 && *p < len(s.Datasets) }
	runs := map[string]bool{}
	for i := range s.Steps {
		st := &s.Steps[i]
		at := func(more ...pathElem) []pathElem {
			p := idx("steps", i)
			p[1].note = st.Kind
			return append(p, more...)
		}
		has := map[string]bool{"dataset": st.Dataset != nil, "features": st.Features != nil, "run": st.Run != nil,
			"run_id": st.RunID != "", "eval": st.Eval != nil}
		var want []string
		switch st.Kind {
		case StepOpenDataset:
			want = []string{"dataset"}
		case StepFeatures:
			want = []string{"features"}
		case StepRun:
			want = []string{"run"}
		case StepStop:
			want = []string{"run_id"}
		case StepEvaluate:
			want = []string{"run_id", "eval"}
		case "":
			return fail(at(key("kind")), "missing: every step needs its kind (%s)", strings.Join(StepKinds(), ", "))
		default:
			return fail(at(key("kind")), "unknown step kind %q (want %s)", st.Kind, strings.Join(StepKinds(), ", "))
		}
		for _, m := range []string{"dataset", "features", "run", "run_id", "eval"} {
			if slices.Contains(want, m) && !has[m] {
				return fail(at(key(m)), "missing: a %s step needs it", st.Kind)
			}
			if !slices.Contains(want, m) && has[m] {
				return fail(at(key(m)), "does not belong in a %s step", st.Kind)
			}
		}
		if !dsOK(st.Dataset) {
			return fail(at(key("dataset")), "dataset %d does not exist (the session has %d)", *st.Dataset, len(s.Datasets))
		}
		if st.RunID != "" && !runs[st.RunID] {
			return fail(at(key("run_id")), "no earlier run has the ID %q", st.RunID)
		}
		if st.Eval != nil {
			if st.Eval.Result == nil {
				return fail(at(key("eval"), key("result")), "missing")
			}
			if !dsOK(st.Eval.Dataset) {
				return fail(at(key("eval"), key("dataset")), "dataset %d does not exist (the session has %d)", *st.Eval.Dataset, len(s.Datasets))
			}
		}
		if r := st.Run; r != nil {
			if r.ID == "" {
				return fail(at(key("run"), key("id")), "missing: every run needs an ID")
			}
			if runs[r.ID] {
				return fail(at(key("run"), key("id")), "a second run with the ID %q", r.ID)
			}
			runs[r.ID] = true
			if err := validateRun(r, at(key("run"))); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateRun(r *Run, base []pathElem) error {
	key := func(k string) pathElem { return pathElem{key: k, index: -1} }
	fail := func(more []pathElem, format string, args ...any) error {
		return &decodeError{path: append(slices.Clone(base), more...), msg: fmt.Sprintf(format, args...)}
	}
	if r.Spec.Version != train.SpecVersion {
		return fail([]pathElem{key("spec"), key("version")}, "run spec version %d, this Hark reads version %d", r.Spec.Version, train.SpecVersion)
	}
	switch r.Status {
	case StatusRunning, StatusFinished, StatusStopped, StatusFailed:
	default:
		return fail([]pathElem{key("status")}, "unknown status %q (want running, finished, stopped or failed)", r.Status)
	}
	lastEpoch := 0
	for i, ev := range r.Events {
		at := []pathElem{key("events"), {index: i, note: EventKind(ev)}}
		if ev == nil {
			return fail(at, "null is not an event")
		}
		if ev.RunID() != r.ID {
			return fail(append(at, key("run")), "event of run %q inside run %q", ev.RunID(), r.ID)
		}
		switch e := ev.(type) {
		case train.RunStarted:
			if i != 0 {
				return fail(at, "run_started must be the first event")
			}
			if e.Spec.Version != train.SpecVersion {
				return fail(append(at, key("spec"), key("version")), "run spec version %d, this Hark reads version %d", e.Spec.Version, train.SpecVersion)
			}
		case train.EpochDone:
			if e.Epoch <= lastEpoch {
				return fail(append(at, key("epoch")), "epoch %d after epoch %d: epochs must increase", e.Epoch, lastEpoch)
			}
			lastEpoch = e.Epoch
		case train.RunFinished:
			if i != len(r.Events)-1 {
				return fail(at, "run_finished must be the last event")
			}
			if r.Status == StatusRunning {
				return fail([]pathElem{key("status")}, "status running, but the run has finished")
			}
		}
	}
	for i, a := range r.Artifacts {
		at := []pathElem{key("artifacts"), {index: i}}
		switch a.Kind {
		case ArtifactCheckpoint, ArtifactModel:
		default:
			return fail(append(at, key("kind")), "unknown artifact kind %q (want checkpoint or model)", a.Kind)
		}
		if a.Path == "" {
			return fail(append(at, key("path")), "missing")
		}
		if a.SHA256 != "" && !isHex64(a.SHA256) {
			return fail(append(at, key("sha256")), "not a SHA-256 (64 lower-case hex digits): %q", a.SHA256)
		}
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func describeMember(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok {
		return "no such member"
	}
	return describe(v)
}

// annotate adds each array element's "kind" (steps, events) to a path, from the tree.
func annotate(path []pathElem, tree any) {
	x := tree
	for i := range path {
		switch node := x.(type) {
		case map[string]any:
			if path[i].index >= 0 {
				return
			}
			x = node[path[i].key]
		case []any:
			if path[i].index < 0 || path[i].index >= len(node) {
				return
			}
			x = node[path[i].index]
			if i == 0 || path[i-1].key != "steps" && path[i-1].key != "events" {
				continue
			}
			if m, ok := x.(map[string]any); ok && path[i].note == "" {
				if k, ok := m["kind"].(string); ok && len(k) <= 40 {
					path[i].note = k
				}
			}
		default:
			return
		}
	}
}

// locateOr returns the byte offset of the value at path in data, or -1.
func locateOr(data []byte, path []pathElem) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	for _, el := range path {
		tok, err := dec.Token()
		if err != nil {
			return -1
		}
		found := false
		switch tok {
		case json.Delim('{'):
			for !found && dec.More() {
				k, err := dec.Token()
				if err != nil {
					return -1
				}
				if k == el.key && el.index < 0 {
					found = true
				} else if !skipValue(dec) {
					return -1
				}
			}
		case json.Delim('['):
			for i := 0; !found && dec.More(); i++ {
				if i == el.index {
					found = true
				} else if !skipValue(dec) {
					return -1
				}
			}
		}
		if !found {
			return -1
		}
	}
	off := int(dec.InputOffset())
	for off < len(data) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
		off++
	}
	return off
}

func skipValue(dec *json.Decoder) bool {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return true
		}
	}
}

// lineCol converts a byte offset to a 1-based line and column.
func lineCol(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	col = off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}
