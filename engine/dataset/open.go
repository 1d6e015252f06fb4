package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoLayout is wrapped by Open when no layout fits the folder.
var ErrNoLayout = errors.New("no dataset layout recognised")

// opener carries one Open call: the listing, the spec, the catalog being built and what
// detection found.
type opener struct {
	t     *tree
	spec  Spec
	c     *Catalog
	media string

	base      string   // folders/esc50: the folder holding the class folders
	manifest  string   // manifest: the file, relative to the root
	pairFiles []string // pairs: the lists, relative to the root
	regex     *nameRegex
	// declared maps each class a layout named (a folder, a word) to where it came from, so
	// that a class left with no readable file is reported rather than silently gone.
	declared map[string]string
}

// declare records a class the layout named.
func (o *opener) declare(class, where string) {
	if o.declared == nil {
		o.declared = map[string]string{}
	}
	if _, ok := o.declared[class]; !ok {
		o.declared[class] = where
	}
}

// emptyClassProblems reports the declared classes that ended with no item although no rule
// removed them (all their files were unreadable, say).
func (o *opener) emptyClassProblems() {
	have := map[string]bool{}
	for _, it := range o.c.Items {
		have[it.RawLabel] = true
	}
	for _, class := range sortedKeys(o.declared) {
		if !have[class] {
			o.c.problem(o.declared[class], 0, fmt.Errorf("class %q has no usable file", class))
		}
	}
}

// layout is one layout: detect says why it fits (or why not), build fills the catalog.
type layout struct {
	name   string
	detect func(o *opener) (why string, err error)
	build  func(o *opener) error
}

// layouts returns the layouts in detection order: the most specific markers first (list files,
// a named JSON file, pair lists), then GTZAN and ESC-50 folder names, manifests, FSDD names,
// and plain class folders last since almost any tree has folders.
func layouts() []layout {
	return []layout{
		{LayoutSpeechCommands, (*opener).detectSpeechCommands, (*opener).buildSpeechCommands},
		{LayoutSpeechCommands12, (*opener).detectSpeechCommands, (*opener).buildSpeechCommands},
		{LayoutMUStARD, (*opener).detectMUStARD, (*opener).buildManifest},
		{LayoutPairs, (*opener).detectPairs, (*opener).buildPairs},
		{LayoutESC50, (*opener).detectESC50, (*opener).buildFolders},
		{LayoutFolders, (*opener).detectGTZAN, (*opener).buildFolders},
		{LayoutManifest, (*opener).detectManifest, (*opener).buildManifest},
		{LayoutFSDD, (*opener).detectFSDD, (*opener).buildFilename},
		{LayoutFilename, (*opener).detectFilename, (*opener).buildFilename},
		{LayoutFolders, (*opener).detectFolders, (*opener).buildFolders},
	}
}

// Open scans spec.Root into a catalog. Files that cannot be used become Problems and the rest
// opens; an error is returned only when nothing sensible can be opened (the root is missing, no
// layout fits, a spec value is invalid, or no usable item is left).
func Open(spec Spec) (*Catalog, error) {
	if spec.Root == "" {
		return nil, errors.New("dataset: no folder given")
	}
	st, err := os.Stat(spec.Root)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", spec.Root, err)
	}
	if !st.IsDir() {
		// A manifest or pair list can be named directly; its folder is the root.
		if spec, err = specForFile(spec); err != nil {
			return nil, err
		}
	}
	t, problems, err := scan(spec.Root, spec.Rules.Ignore)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", spec.Root, err)
	}
	media, err := t.mediaKind(spec.Media)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", spec.Root, err)
	}
	o := &opener{t: t, spec: spec, media: media, c: &Catalog{Root: spec.Root, Problems: problems}}
	if err := o.detect(); err != nil {
		return nil, err
	}
	if err := o.finish(); err != nil {
		return nil, err
	}
	return o.c, nil
}

// specForFile turns a Root naming a manifest or pair list into its folder plus that file.
func specForFile(spec Spec) (Spec, error) {
	dir, name := filepath.Split(spec.Root)
	if dir == "" {
		dir = "."
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".json":
		spec.Manifest.File = name
	case ".txt":
		spec.PairFiles = []string{name}
	default:
		return spec, fmt.Errorf("dataset %s: not a folder, a manifest (.csv, .json) or a pair list (.txt)", spec.Root)
	}
	spec.Root = filepath.Clean(dir)
	return spec, nil
}

// detect picks the layout (or checks the forced one) and builds the items. A file-name
// expression, a named manifest or pair list, or keyword options imply their layout.
func (o *opener) detect() error {
	want, by := o.spec.Layout, "chosen by name"
	if want == "" {
		by = "implied by the options"
		switch {
		case o.spec.Keywords != nil:
			want = LayoutSpeechCommands12
		case o.spec.Regex != "":
			want = LayoutFilename
		case o.spec.Preset != "":
			want = LayoutFSDD
			if o.spec.Preset != "fsdd" {
				want = LayoutFilename
			}
		case o.spec.Manifest.File != "":
			want = LayoutManifest
		case len(o.spec.PairFiles) > 0:
			want = LayoutPairs
		}
	}
	var reasons []string
	for _, l := range layouts() {
		if want != "" && l.name != want {
			continue
		}
		why, err := l.detect(o)
		if err != nil {
			reasons = append(reasons, err.Error())
			continue
		}
		o.c.Layout, o.c.Why = l.name, why
		if want != "" {
			o.c.Why = by + "; " + why
		}
		return l.build(o)
	}
	if want != "" {
		if len(reasons) == 0 {
			names := make([]string, 0, len(Layouts()))
			for _, l := range Layouts() {
				names = append(names, l.Name)
			}
			return fmt.Errorf("dataset %s: unknown layout %q (known: %s)", o.spec.Root, want, strings.Join(names, ", "))
		}
		return fmt.Errorf("dataset %s: layout %s does not fit: %s", o.spec.Root, want, strings.Join(reasons, "; "))
	}
	return fmt.Errorf("dataset %s: %w: %d files (%d audio, %d .npy, %d images) but no class folders, "+
		"Speech Commands lists, manifest or pair list; name one with a layout", o.spec.Root, ErrNoLayout,
		len(o.t.files), len(o.t.media(".", MediaAudio)), len(o.t.media(".", MediaNpy)), len(o.t.media(".", MediaImage)))
}

// finish runs everything after the layout: probing, the keyword task, class rules, segments,
// generated pairs, and the final counts.
func (o *opener) finish() error {
	c := o.c
	if len(o.t.ignored) > 0 {
		n := 0
		for _, k := range o.t.ignored {
			n += k
		}
		c.Applied = append(c.Applied, Applied{Rule: "ignore",
			Detail: fmt.Sprintf("skipped %d folders matching %s", n, strings.Join(o.spec.Rules.Ignore, ", "))})
	}
	if !o.spec.SkipProbe {
		o.probeAll()
	}
	o.emptyClassProblems()
	if c.Layout == LayoutSpeechCommands12 || o.spec.Keywords != nil {
		if err := o.keywordTask(); err != nil {
			return err
		}
	}
	if err := applyRules(c, o.spec.Rules); err != nil {
		return fmt.Errorf("dataset %s: %w", o.spec.Root, err)
	}
	if o.spec.Segments.Length > 0 {
		if err := segmentCatalog(c, o.spec.Segments); err != nil {
			return fmt.Errorf("dataset %s: %w", o.spec.Root, err)
		}
	}
	if o.spec.Pairs != nil {
		pairs, err := GeneratePairs(c, *o.spec.Pairs)
		if err != nil {
			return fmt.Errorf("dataset %s: %w", o.spec.Root, err)
		}
		c.Pairs, c.Task = pairs, Pairs
		s, d := c.SameDifferent()
		c.Applied = append(c.Applied, Applied{Rule: "pairs", Items: len(pairs),
			Detail: fmt.Sprintf("generated %d pairs by %s (%d same, %d different), seed %d", len(pairs), o.spec.Pairs.By, s, d, o.spec.Pairs.Seed)})
	}
	c.recount()
	if len(c.Items) == 0 {
		return fmt.Errorf("dataset %s (%s): no usable items (%d problems%s)", c.Root, c.Layout, len(c.Problems), firstProblem(c.Problems))
	}
	if c.Task == Pairs && len(c.Pairs) == 0 {
		return fmt.Errorf("dataset %s (%s): no usable pairs (%d problems%s)", c.Root, c.Layout, len(c.Problems), firstProblem(c.Problems))
	}
	return nil
}

func firstProblem(ps []Problem) string {
	if len(ps) == 0 {
		return ""
	}
	return "; first: " + ps[0].Error()
}
