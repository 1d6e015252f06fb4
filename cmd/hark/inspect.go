package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hark-audio/hark/engine/dataset"
)

const inspectUsage = `Usage: hark inspect DIR [--layout NAME] [--json] [flags]

Scans a dataset folder (or a manifest or pair list) and prints its layout and why it was
recognised, the task, the classes with their counts, groups, regression targets, pairs,
durations, sample rates, and every file or line that could not be used.

Layouts: %s.

Flags:
`

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hark inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		layout   = fs.String("layout", "", "force a layout by `NAME` instead of detecting it")
		asJSON   = fs.Bool("json", false, "print one JSON document (../shared/CLI.md) and nothing else")
		regex    = fs.String("regex", "", "label files by name: a regular `EXPR` with named groups label, group, take, fold")
		preset   = fs.String("preset", "", "a built-in file-name expression: fsdd")
		manifest = fs.String("manifest", "", "the manifest `FILE` (CSV or JSON) to read, relative to DIR")
		keywords = fs.Bool("keywords", false, "build the Speech Commands 12-label task (ten words, unknown, silence)")
		split    = fs.String("split", "", "show the split sizes per class: random:0.8,0.1,0.1, group:0.8,0.2, lists, fsdd, fold:N, folds, kfold:K, holdout-group:NAME")
		seed     = fs.Uint64("seed", 1, "seed for the split, unknown sampling and silence cutting")
		segment  = fs.String("segment", "", "cut clips into segments: `LEN` (as many as fit) or COUNTxLEN, e.g. 6x5s")
		minCount = fs.Int("min-count", 0, "drop classes with fewer than `N` items")
		noProbe  = fs.Bool("no-probe", false, "list files without reading their headers (no durations, no checks)")
		merges   stringList
		ignores  stringList
	)
	fs.Var(&merges, "merge", "merge classes matching a regular expression: `PATTERN=INTO` (repeatable)")
	fs.Var(&ignores, "ignore", "skip folders whose name matches a `GLOB` (repeatable)")
	// The flag package reports a bad flag in one line and then calls Usage; the full text goes
	// to stdout, and only when asked for.
	fs.Usage = func() {}

	// Flags may come before or after DIR.
	var dirs []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				names := make([]string, 0, len(dataset.Layouts()))
				for _, l := range dataset.Layouts() {
					names = append(names, l.Name)
				}
				fs.SetOutput(stdout)
				fmt.Fprintf(stdout, inspectUsage, strings.Join(names, ", "))
				fs.PrintDefaults()
				return exitOK
			}
			fmt.Fprintln(stderr, "run 'hark inspect --help' for the flags")
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(dirs) != 1 {
		fmt.Fprintf(stderr, "hark inspect: want one DIR, got %d (run 'hark inspect --help')\n", len(dirs))
		return exitUsage
	}

	spec := dataset.Spec{Root: dirs[0], Layout: *layout, Regex: *regex, Preset: *preset, SkipProbe: *noProbe,
		Rules: dataset.Rules{MinCount: *minCount, Ignore: ignores}}
	spec.Manifest.File = *manifest
	if *keywords || *layout == dataset.LayoutSpeechCommands12 {
		spec.Keywords = &dataset.KeywordSpec{Seed: *seed}
	}
	for _, m := range merges {
		pattern, into, ok := strings.Cut(m, "=")
		if !ok || pattern == "" || into == "" {
			fmt.Fprintf(stderr, "hark inspect: --merge %q: want PATTERN=INTO\n", m)
			return exitUser
		}
		spec.Rules.Merge = append(spec.Rules.Merge, dataset.Merge{Pattern: pattern, Into: into})
	}
	if *segment != "" {
		seg, err := parseSegment(*segment)
		if err != nil {
			fmt.Fprintf(stderr, "hark inspect: --segment %q: %v\n", *segment, err)
			return exitUser
		}
		spec.Segments = seg
	}
	var splitSpec dataset.SplitSpec
	if *split != "" {
		var err error
		if splitSpec, err = dataset.ParseSplitSpec(*split); err != nil {
			fmt.Fprintf(stderr, "hark inspect: --split: %v\n", err)
			return exitUser
		}
		splitSpec.Seed = *seed
	}

	cat, err := dataset.Open(spec)
	if err != nil {
		fmt.Fprintf(stderr, "hark inspect: %v\n", err)
		return exitUser
	}
	var splits *dataset.Splits
	if *split != "" {
		s, err := dataset.Split(cat, splitSpec)
		if err != nil {
			fmt.Fprintf(stderr, "hark inspect: %s: %v\n", cat.Root, err)
			return exitUser
		}
		splits = &s
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(inspectReport(cat, splits)); err != nil {
			fmt.Fprintf(stderr, "hark inspect: %v\n", err)
			return exitUser
		}
		return exitOK
	}
	ascii := os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"
	io.WriteString(stdout, inspectText(cat, splits, ascii))
	return exitOK
}

// parseSegment reads "5s" (as many 5 s segments as fit) or "6x5s" (six of them).
func parseSegment(s string) (dataset.SegmentSpec, error) {
	var seg dataset.SegmentSpec
	count, length, ok := strings.Cut(s, "x")
	if !ok {
		count, length = "", s
	}
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil || n <= 0 {
			return seg, fmt.Errorf("segment count %q is not a positive number", count)
		}
		seg.Count = n
	}
	d, err := time.ParseDuration(length)
	if err != nil || d <= 0 {
		return seg, fmt.Errorf("segment length %q is not a positive duration such as 5s", length)
	}
	seg.Length = d
	return seg, nil
}

// The JSON document of ../shared/CLI.md, plus split, rules and notes.
type (
	inspectJSON struct {
		Path        string           `json:"path"`
		Layout      string           `json:"layout"`
		Why         string           `json:"why"`
		Task        string           `json:"task"`
		Classes     []classJSON      `json:"classes"`
		Items       int              `json:"items"`
		Groups      int              `json:"groups"`
		Targets     []string         `json:"targets"`
		Pairs       pairsJSON        `json:"pairs"`
		Durations   durationsJSON    `json:"durations"`
		SampleRates map[string]int   `json:"sample_rates"`
		Shapes      map[string]int   `json:"shapes"`
		Problems    []problemJSON    `json:"problems"`
		Rules       []ruleJSON       `json:"rules"`
		Notes       []string         `json:"notes"`
		Split       *splitReportJSON `json:"split,omitempty"`
	}
	classJSON struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	pairsJSON struct {
		Same      int `json:"same"`
		Different int `json:"different"`
	}
	durationsJSON struct {
		Min    float64 `json:"min"`
		Median float64 `json:"median"`
		Max    float64 `json:"max"`
	}
	problemJSON struct {
		Path  string `json:"path"`
		Line  int    `json:"line,omitempty"`
		Error string `json:"error"`
	}
	ruleJSON struct {
		Rule    string   `json:"rule"`
		Detail  string   `json:"detail"`
		Classes []string `json:"classes,omitempty"`
		Items   int      `json:"items"`
	}
	splitReportJSON struct {
		Spec  string      `json:"spec"`
		Seed  uint64      `json:"seed"`
		Folds []splitJSON `json:"folds"`
	}
	splitJSON struct {
		Train    int              `json:"train"`
		Val      int              `json:"val"`
		Test     int              `json:"test"`
		PerClass []classSplitJSON `json:"per_class"`
		// LeftOut counts the pairs of a group split whose two groups fell in different parts.
		LeftOut int `json:"left_out,omitempty"`
	}
	classSplitJSON struct {
		Class string `json:"class"`
		Train int    `json:"train"`
		Val   int    `json:"val"`
		Test  int    `json:"test"`
	}
)

func inspectReport(c *dataset.Catalog, splits *dataset.Splits) inspectJSON {
	r := inspectJSON{Path: c.Root, Layout: c.Layout, Why: c.Why, Task: string(c.Task), Items: len(c.Items),
		Groups: len(c.Groups()), Targets: append([]string{}, c.Targets...), SampleRates: map[string]int{},
		Classes: []classJSON{}, Problems: []problemJSON{}, Rules: []ruleJSON{}, Notes: append([]string{}, c.Notes...)}
	for _, cl := range c.Classes {
		r.Classes = append(r.Classes, classJSON{cl.Name, cl.Count})
	}
	r.Pairs.Same, r.Pairs.Different = c.SameDifferent()
	lo, med, hi := c.Durations()
	r.Durations = durationsJSON{lo.Seconds(), med.Seconds(), hi.Seconds()}
	r.Shapes = shapeCounts(c)
	for rate, n := range c.SampleRates() {
		r.SampleRates[strconv.Itoa(rate)] = n
	}
	for _, p := range c.Problems {
		r.Problems = append(r.Problems, problemJSON{Path: p.Path, Line: p.Line, Error: p.Err.Error()})
	}
	for _, a := range c.Applied {
		r.Rules = append(r.Rules, ruleJSON{a.Rule, a.Detail, a.Classes, a.Items})
	}
	if splits != nil {
		sr := &splitReportJSON{Spec: splits.Spec.String(), Seed: splits.Spec.Seed}
		for _, f := range splits.Folds {
			sj := splitJSON{Train: len(f.Train), Val: len(f.Val), Test: len(f.Test), PerClass: []classSplitJSON{}, LeftOut: len(f.LeftOut)}
			for _, pc := range f.PerClass {
				sj.PerClass = append(sj.PerClass, classSplitJSON{pc.Class, pc.Train, pc.Val, pc.Test})
			}
			sr.Folds = append(sr.Folds, sj)
		}
		r.Split = sr
	}
	return r
}

// Limits of the human report; --json always has everything.
const (
	maxClassRows   = 30
	maxProblemRows = 10
	barWidth       = 30
)

func inspectText(c *dataset.Catalog, splits *dataset.Splits, ascii bool) string {
	var b strings.Builder
	row := func(label, format string, a ...any) {
		fmt.Fprintf(&b, "%-13s %s\n", label, fmt.Sprintf(format, a...))
	}
	row("Dataset", "%s", c.Root)
	row("Layout", "%s", c.Layout)
	row("Why", "%s", c.Why)
	what := fmt.Sprintf("%s: %d items", c.Task, len(c.Items))
	if len(c.Classes) > 0 {
		what += fmt.Sprintf(", %d classes", len(c.Classes))
	}
	row("Task", "%s", what)
	groups := c.Groups()
	switch {
	case len(groups) == 0:
		row("Groups", "none")
	case len(groups) <= 8:
		row("Groups", "%d (%s)", len(groups), strings.Join(groups, ", "))
	default:
		row("Groups", "%d (%s, ...)", len(groups), strings.Join(groups[:8], ", "))
	}
	if len(c.Targets) > 0 {
		row("Targets", "%s", strings.Join(c.Targets, ", "))
	}
	if c.Task == dataset.Pairs {
		s, d := c.SameDifferent()
		row("Pairs", "%d (%d same, %d different)", s+d, s, d)
	}
	if len(c.Noise) > 0 {
		row("Noise", "%d background files", len(c.Noise))
	}
	if lo, med, hi := c.Durations(); hi > 0 {
		row("Durations", "min %s, median %s, max %s", seconds(lo), seconds(med), seconds(hi))
	}
	if rates := c.SampleRates(); len(rates) > 0 {
		var parts []string
		for _, rate := range sortedInts(rates) {
			parts = append(parts, fmt.Sprintf("%d Hz: %d", rate, rates[rate]))
		}
		row("Sample rates", "%s", strings.Join(parts, ", "))
	}
	if shapes := shapeCounts(c); len(shapes) > 0 {
		var parts []string
		for _, k := range sortedKeysByCount(shapes) {
			parts = append(parts, fmt.Sprintf("%s: %d", k, shapes[k]))
		}
		if len(parts) > 5 {
			parts = append(parts[:5], fmt.Sprintf("%d more", len(parts)-5))
		}
		row("Shapes", "%s", strings.Join(parts, ", "))
	}
	if len(c.Classes) > 0 {
		b.WriteString("\nClasses\n")
		writeBars(&b, c.Classes, ascii)
	}
	if len(c.Applied) > 0 {
		b.WriteString("\nRules\n")
		for _, a := range c.Applied {
			fmt.Fprintf(&b, "  %-8s %s\n", a.Rule, a.Detail)
		}
	}
	if len(c.Notes) > 0 {
		b.WriteString("\nNotes\n")
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	if splits != nil {
		writeSplits(&b, splits)
	}
	fmt.Fprintf(&b, "\nProblems (%d)\n", len(c.Problems))
	if len(c.Problems) == 0 {
		b.WriteString("  none\n")
	}
	for i, p := range c.Problems {
		if i == maxProblemRows {
			fmt.Fprintf(&b, "  ... and %d more (--json lists them all)\n", len(c.Problems)-maxProblemRows)
			break
		}
		fmt.Fprintf(&b, "  %s\n", p.Error())
	}
	return b.String()
}

// writeBars draws the classes as a bar chart scaled to the largest; with many classes only the
// largest are drawn.
func writeBars(b *strings.Builder, classes []dataset.Class, ascii bool) {
	rows := classes
	if len(rows) > maxClassRows {
		rows = append([]dataset.Class(nil), classes...)
		// The largest first, ties by name, so the cut is stable.
		sortClasses(rows)
		rows = rows[:maxClassRows]
	}
	most, width := 0, 0
	for _, cl := range rows {
		most = max(most, cl.Count)
		width = max(width, len([]rune(cl.Name)))
	}
	width = min(width, 32)
	for _, cl := range rows {
		name := []rune(cl.Name)
		if len(name) > width {
			name = append(name[:width-1], '~')
		}
		fmt.Fprintf(b, "  %-*s %s %d\n", width, string(name), bar(cl.Count, most, ascii), cl.Count)
	}
	if len(classes) > len(rows) {
		fmt.Fprintf(b, "  ... and %d smaller classes (--json lists them all)\n", len(classes)-len(rows))
	}
}

// bar draws n of most as a bar of up to barWidth cells, in eighths of a cell with Unicode
// blocks, or whole '#' cells in ASCII.
func bar(n, most int, ascii bool) string {
	if most == 0 {
		return ""
	}
	if ascii {
		cells := (n*barWidth + most/2) / most
		return strings.Repeat("#", cells) + strings.Repeat(" ", barWidth-cells)
	}
	eighths := (n*barWidth*8 + most/2) / most
	partial := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	s := strings.Repeat("█", eighths/8) + partial[eighths%8]
	cells := eighths / 8
	if eighths%8 > 0 {
		cells++
	}
	return s + strings.Repeat(" ", barWidth-cells)
}

func writeSplits(b *strings.Builder, s *dataset.Splits) {
	fmt.Fprintf(b, "\nSplit %s (seed %d)\n", s.Spec, s.Spec.Seed)
	for k, f := range s.Folds {
		if len(s.Folds) > 1 {
			fmt.Fprintf(b, "  fold %d\n", k+1)
		}
		fmt.Fprintf(b, "  %-20s %7s %7s %7s\n", "class", "train", "val", "test")
		for _, pc := range f.PerClass {
			fmt.Fprintf(b, "  %-20s %7d %7d %7d\n", pc.Class, pc.Train, pc.Val, pc.Test)
		}
		fmt.Fprintf(b, "  %-20s %7d %7d %7d\n", "total", len(f.Train), len(f.Val), len(f.Test))
		if n := len(f.LeftOut); n > 0 {
			fmt.Fprintf(b, "  %d pairs left out: their two groups fell in different parts\n", n)
		}
	}
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s" }

func sortedInts(m map[int]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortClasses(cs []dataset.Class) {
	slices.SortStableFunc(cs, func(a, b dataset.Class) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// shapeCounts counts the items by array shape (precomputed features, images' height x width).
func shapeCounts(c *dataset.Catalog) map[string]int {
	shapes := map[string]int{}
	for _, it := range c.Items {
		if len(it.Shape) == 0 {
			continue
		}
		dims := make([]string, len(it.Shape))
		for i, d := range it.Shape {
			dims[i] = strconv.Itoa(d)
		}
		shapes[strings.Join(dims, "x")]++
	}
	return shapes
}

// sortedKeysByCount orders the keys by count, largest first, then by name.
func sortedKeysByCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return keys
}
