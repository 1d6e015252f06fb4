package dataset

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
)

// Presets are the built-in file-name expressions, by name.
func Presets() map[string]string {
	return map[string]string{
		// FSDD: 3_theo_17.wav is the digit 3 spoken by theo, take 17 (.npy: its features).
		"fsdd": `(?P<label>[0-9])_(?P<group>[A-Za-z0-9-]+)_(?P<take>[0-9]+)\.(?:wav|npy)`,
	}
}

// nameRegex is a compiled file-name expression with the indices of its named groups.
type nameRegex struct {
	source                  string
	re                      *regexp.Regexp
	label, group, take, fld int
}

// compileNameRegex anchors expr to the whole base name and checks its named groups.
func compileNameRegex(expr string) (*nameRegex, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("file-name expression %q: %w", expr, err)
	}
	n := &nameRegex{source: expr, re: re, label: re.SubexpIndex("label"), group: re.SubexpIndex("group"),
		take: re.SubexpIndex("take"), fld: re.SubexpIndex("fold")}
	if n.label < 0 {
		return nil, fmt.Errorf("file-name expression %q has no (?P<label>...) group", expr)
	}
	return n, nil
}

// apply fills the item's label, group, take and fold from its base name.
func (n *nameRegex) apply(it *Item, base string) error {
	m := n.re.FindStringSubmatch(base)
	if m == nil {
		return fmt.Errorf("file name does not match %s; skipped", n.source)
	}
	it.Label, it.RawLabel = m[n.label], m[n.label]
	if it.Label == "" {
		return errors.New("file name gives an empty label; skipped")
	}
	if n.group >= 0 {
		it.Group = m[n.group]
	}
	if n.take >= 0 {
		it.Take = m[n.take]
	}
	if n.fld >= 0 && m[n.fld] != "" {
		fold, err := strconv.Atoi(m[n.fld])
		if err != nil || fold <= 0 {
			return fmt.Errorf("fold %q is not a positive number; skipped", m[n.fld])
		}
		it.Fold = fold
	}
	return nil
}

// nameExpr returns the spec's file-name expression and the preset it came from, if any.
func (o *opener) nameExpr(preset string) (expr, from string, err error) {
	if o.spec.Regex != "" {
		return o.spec.Regex, "", nil
	}
	if o.spec.Preset != "" {
		preset = o.spec.Preset
	}
	expr, ok := Presets()[preset]
	if !ok {
		return "", "", fmt.Errorf("unknown file-name preset %q (known: fsdd)", preset)
	}
	return expr, preset, nil
}

// detectFSDD recognises a tree whose data files are mostly named {digit}_{speaker}_{take}.wav.
func (o *opener) detectFSDD() (string, error) {
	if o.spec.Regex != "" || (o.spec.Preset != "" && o.spec.Preset != "fsdd") {
		return "", errors.New("a different file-name expression was given")
	}
	return o.detectNames("fsdd", "{digit}_{speaker}_{take}.wav (FSDD: the digit is the class, the speaker the group)")
}

// detectFilename fits when an expression or preset was given.
func (o *opener) detectFilename() (string, error) {
	if o.spec.Regex == "" && o.spec.Preset == "" {
		return "", errors.New("no file-name expression or preset given")
	}
	return o.detectNames("", "")
}

// detectNames compiles the expression and requires that most data files match it. shows is
// how the preset's names look, for the reason shown to the user.
func (o *opener) detectNames(preset, shows string) (string, error) {
	expr, from, err := o.nameExpr(preset)
	if err != nil {
		return "", err
	}
	if o.regex, err = compileNameRegex(expr); err != nil {
		return "", err
	}
	files := o.t.media(".", o.media)
	match := 0
	dirs := map[string]bool{}
	for _, f := range files {
		if o.regex.re.MatchString(path.Base(f)) {
			match++
			dirs[path.Dir(f)] = true
		}
	}
	if match == 0 || (o.spec.Layout == "" && 2*match <= len(files)) {
		return "", fmt.Errorf("%d of %d %s files match %s", match, len(files), o.media, expr)
	}
	where := "the top folder"
	if len(dirs) == 1 {
		for d := range dirs {
			where = displayDir(d)
		}
	} else if len(dirs) > 1 {
		where = fmt.Sprintf("%d folders", len(dirs))
	}
	if from == "" || shows == "" {
		shows = "by " + expr
		if from != "" {
			shows = fmt.Sprintf("by the %s preset %s", from, expr)
		}
	}
	return fmt.Sprintf("%d of %d %s files in %s named %s", match, len(files), o.media, where, shows), nil
}

// buildFilename makes one item per data file from its name; files that do not match are
// problems and are skipped.
func (o *opener) buildFilename() error {
	c := o.c
	c.Task = Classify
	for _, f := range o.t.media(".", o.media) {
		it := Item{ID: f, Path: o.t.abs(f)}
		if err := o.regex.apply(&it, path.Base(f)); err != nil {
			c.problem(it.Path, 0, err)
			continue
		}
		o.declare(it.Label, o.t.abs(path.Dir(f)))
		c.Items = append(c.Items, it)
	}
	return nil
}
