package dataset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// pairLine is one parsed line of a pair list.
type pairLine struct {
	Line int
	Same bool
	// LFW lines name identities and image numbers; path lines name two files.
	NameA, NameB string
	NumA, NumB   int
	PathA, PathB string
	// Slot is the line's position among the data lines (0-based), for LFW's folds.
	Slot int
}

// pairList is a parsed pair list.
type pairList struct {
	LFW   bool // "name i j" / "name1 i name2 j" lines, else "a b same|different"
	Lines []pairLine
	// Sets and PerSet come from an LFW count header: "1100" (one set of 1100 same and 1100
	// different pairs) or "10 300" (ten folds of 300 + 300). Zero when there is no header.
	Sets, PerSet int
}

// parsePairs reads a pair list. The first data line decides the kind: LFW lines (3 fields,
// "name i j", a same pair; 4 fields, "name1 i name2 j", a different pair) or path lines
// ("a b same|different", separated by tabs, commas or spaces; 1/0, true/false and yes/no are
// accepted too). An optional LFW count header, or a header row of column names on the first
// line, is skipped. Malformed lines are problems naming name and the line.
func parsePairs(r io.Reader, name string) (pairList, []Problem) {
	var pl pairList
	var problems []Problem
	bad := func(n int, err error) { problems = append(problems, Problem{Path: name, Line: n, Err: err}) }
	decided, first := false, true
	slot := 0
	err := eachLine(r, func(n int, line string) {
		s := strings.TrimSpace(line)
		if s == "" || strings.HasPrefix(s, "#") {
			return
		}
		fields := splitPairFields(s)
		wasFirst := first
		first = false
		if wasFirst {
			if sets, per, ok := countHeader(fields); ok {
				pl.Sets, pl.PerSet = sets, per
				return
			}
		}
		if !decided {
			if _, err := lfwLine(fields); err == nil {
				pl.LFW, decided = true, true
			} else if _, err := pathLine(fields); err == nil {
				decided = true
			} else if wasFirst && !anyMedia(fields) {
				return // a header row of column names
			} else {
				bad(n, fmt.Errorf("neither an LFW pair (name i j | name1 i name2 j) nor 'a b same|different': %w", err))
				slot++
				return
			}
		}
		var p pairLine
		var err error
		if pl.LFW {
			p, err = lfwLine(fields)
		} else {
			p, err = pathLine(fields)
		}
		p.Line, p.Slot = n, slot
		slot++
		if err != nil {
			bad(n, err)
			return
		}
		pl.Lines = append(pl.Lines, p)
	}, bad)
	if err != nil {
		bad(0, fmt.Errorf("read: %w", err))
	}
	if pl.Sets > 0 {
		same, diff := 0, 0
		for _, p := range pl.Lines {
			if p.Same {
				same++
			} else {
				diff++
			}
		}
		want := pl.Sets * pl.PerSet
		if same != want || diff != want {
			bad(1, fmt.Errorf("count header says %d same and %d different pairs; found %d and %d", want, want, same, diff))
		}
	}
	return pl, problems
}

func splitPairFields(s string) []string {
	var fields []string
	switch {
	case strings.Contains(s, "\t"):
		fields = strings.Split(s, "\t")
	case strings.Contains(s, ","):
		fields = strings.Split(s, ",")
	default:
		return strings.Fields(s)
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return fields
}

// countHeader recognises LFW's "1100" or "10\t300".
func countHeader(fields []string) (sets, per int, ok bool) {
	nums := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		nums[i] = n
	}
	switch len(nums) {
	case 1:
		return 1, nums[0], true
	case 2:
		return nums[0], nums[1], true
	}
	return 0, 0, false
}

func lfwNumber(f string) (int, error) {
	n, err := strconv.Atoi(f)
	if err != nil || n <= 0 || n > 9999 {
		return 0, fmt.Errorf("image number %q is not in 1..9999", f)
	}
	return n, nil
}

// lfwName accepts an identity as LFW writes it: no separators, no path.
func lfwName(f string) error {
	if f == "" || f == "." || f == ".." || strings.ContainsAny(f, `/\ `) {
		return fmt.Errorf("%q is not a name", f)
	}
	return nil
}

func lfwLine(fields []string) (pairLine, error) {
	var p pairLine
	var err error
	switch len(fields) {
	case 3:
		p.Same, p.NameA, p.NameB = true, fields[0], fields[0]
		if p.NumA, err = lfwNumber(fields[1]); err != nil {
			return p, err
		}
		if p.NumB, err = lfwNumber(fields[2]); err != nil {
			return p, err
		}
	case 4:
		p.NameA, p.NameB = fields[0], fields[2]
		if p.NumA, err = lfwNumber(fields[1]); err != nil {
			return p, err
		}
		if p.NumB, err = lfwNumber(fields[3]); err != nil {
			return p, err
		}
	default:
		return p, fmt.Errorf("%d fields: want 3 (name i j) or 4 (name1 i name2 j)", len(fields))
	}
	if err := lfwName(p.NameA); err != nil {
		return p, err
	}
	return p, lfwName(p.NameB)
}

func pathLine(fields []string) (pairLine, error) {
	var p pairLine
	if len(fields) != 3 {
		return p, fmt.Errorf("%d fields: want 3 (a b same|different)", len(fields))
	}
	switch strings.ToLower(fields[2]) {
	case "same", "1", "true", "yes":
		p.Same = true
	case "different", "diff", "0", "false", "no":
	default:
		return p, fmt.Errorf("%q: want same or different", fields[2])
	}
	for _, f := range fields[:2] {
		if err := checkRelPath(f); err != nil && !filepath.IsAbs(f) {
			return p, err
		}
	}
	p.PathA, p.PathB = fields[0], fields[1]
	return p, nil
}

func anyMedia(fields []string) bool {
	for _, f := range fields {
		if mediaOf(f) != "" {
			return true
		}
	}
	return false
}

// pairFileName recognises pair lists at the top level.
var pairFileName = regexp.MustCompile(`(?i)^[^/]*pairs[^/]*\.(txt|csv|tsv)$`)

// detectPairs finds the pair lists and requires that at least one parses.
func (o *opener) detectPairs() (string, error) {
	files := o.spec.PairFiles
	if len(files) == 0 {
		for _, f := range o.t.files {
			if pairFileName.MatchString(f) {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		return "", errors.New("no pair list (pairsDevTrain.txt, pairsDevTest.txt, pairs.txt, *pairs*.txt)")
	}
	lfw := 0
	for _, f := range files {
		name := f
		if !filepath.IsAbs(name) {
			name = o.t.abs(f)
		}
		fh, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("pair list: %w", err)
		}
		pl, _ := parsePairs(fh, name)
		fh.Close()
		if len(pl.Lines) > 0 {
			o.pairFiles = append(o.pairFiles, f)
			if pl.LFW {
				lfw++
			}
		}
	}
	if len(o.pairFiles) == 0 {
		return "", fmt.Errorf("no pair lines in %s", strings.Join(files, ", "))
	}
	kind := "path pairs 'a b same|different'"
	if lfw > 0 {
		kind = "LFW pairs: 3 fields = same person, 4 = different"
	}
	return fmt.Sprintf("pair lists %s (%s)", strings.Join(o.pairFiles, ", "), kind), nil
}

// lfwImageDirs are where LFW archives unpack, in order of preference.
func lfwImageDirs() []string {
	return []string{"lfw", "lfw-deepfunneled", "lfw_deepfunneled", "lfw_funneled", "lfw-funneled", "."}
}

// buildPairs reads every pair list into items (one per file, shared by the pairs that name
// it) and pairs. A pair naming a missing file is a problem naming the list line.
func (o *opener) buildPairs() error {
	c := o.c
	c.Task = Pairs
	index := map[string]int{}
	res := newResolver(o, ".")
	item := func(rel, abs, label string) int {
		if i, ok := index[rel]; ok {
			return i
		}
		index[rel] = len(c.Items)
		c.Items = append(c.Items, Item{ID: rel, Path: abs, Label: label, RawLabel: label, Group: label})
		return index[rel]
	}
	for _, f := range o.pairFiles {
		name := f
		if !filepath.IsAbs(name) {
			name = o.t.abs(f)
		}
		fh, err := os.Open(name)
		if err != nil {
			c.problem(name, 0, fmt.Errorf("cannot read pair list: %w", err))
			continue
		}
		pl, problems := parsePairs(fh, name)
		fh.Close()
		c.Problems = append(c.Problems, problems...)
		subset := subsetOf(path.Base(filepath.ToSlash(f)))
		imgDir := o.lfwDir(pl)
		res.dir = path.Dir(filepath.ToSlash(f))
		for _, p := range pl.Lines {
			pair := Pair{Same: p.Same, Subset: subset, Source: name, Line: p.Line}
			if pl.Sets > 1 && pl.PerSet > 0 {
				pair.Fold = p.Slot/(2*pl.PerSet) + 1
			}
			var ends [2]int
			ok := true
			for k, end := range [2]struct {
				name, path string
				num        int
			}{{p.NameA, p.PathA, p.NumA}, {p.NameB, p.PathB, p.NumB}} {
				if pl.LFW {
					rel := path.Join(imgDir, end.name, fmt.Sprintf("%s_%04d.jpg", end.name, end.num))
					if !o.t.has(rel) {
						c.problem(name, p.Line, fmt.Errorf("image %s not found; pair skipped", rel))
						ok = false
						break
					}
					ends[k] = item(rel, o.t.abs(rel), end.name)
					continue
				}
				rel, abs, err := res.resolve(end.path, "", "")
				if err != nil {
					c.problem(name, p.Line, fmt.Errorf("%w (pair skipped)", err))
					ok = false
					break
				}
				ends[k] = item(rel, abs, "")
			}
			if ok && ends[0] == ends[1] {
				c.problem(name, p.Line, errors.New("pairs a file with itself; skipped"))
				ok = false
			}
			if ok {
				pair.A, pair.B = ends[0], ends[1]
				c.Pairs = append(c.Pairs, pair)
			}
		}
	}
	return nil
}

// lfwDir finds the folder holding LFW's identity folders from the names of the first pairs
// (a few, in case the first identity's folder is the one missing).
func (o *opener) lfwDir(pl pairList) string {
	if !pl.LFW {
		return "."
	}
	for _, p := range pl.Lines[:min(len(pl.Lines), 20)] {
		for _, d := range lfwImageDirs() {
			if o.t.dirs[path.Join(d, p.NameA)] {
				return d
			}
		}
	}
	return "lfw"
}

// subsetOf reads a list's subset from its name: pairsDevTrain.txt is train, pairsDevTest.txt
// test, *val* validation; anything else has none.
func subsetOf(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "train"):
		return SubsetTrain
	case strings.Contains(n, "test"):
		return SubsetTest
	case strings.Contains(n, "val"):
		return SubsetVal
	}
	return ""
}
