package dataset

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// escFolder is ESC-50's class folder name, "101 - Dog"; escFile its FOLD-CLIP-TAKE file name.
var (
	escFolder = regexp.MustCompile(`^\d{3} - (.+)$`)
	escFile   = regexp.MustCompile(`^(\d+)-(\d+)-([A-Za-z]+)\.[A-Za-z0-9]+$`)
)

// classBase finds the folder that holds the class folders, starting at dir and stepping down
// through wrapper folders (a folder with no files of its own and one sub-folder holding data,
// like Kaggle's Data/ or FSDD-style recordings/ trees) until the class folders appear.
func (o *opener) classBase(dir string) (base string, classes []string) {
	for {
		classes = classes[:0]
		for _, d := range o.t.subdirs(dir) {
			if len(o.t.media(d, o.media)) > 0 {
				classes = append(classes, d)
			}
		}
		if len(classes) != 1 || len(o.directMedia(dir)) > 0 || len(o.t.subdirs(classes[0])) == 0 ||
			len(o.directMedia(classes[0])) > 0 {
			return dir, classes
		}
		dir = classes[0]
	}
}

// directMedia returns the data files directly in dir (not in its sub-folders).
func (o *opener) directMedia(dir string) []string {
	var out []string
	for _, f := range o.t.media(dir, o.media) {
		if path.Dir(f) == dir {
			out = append(out, f)
		}
	}
	return out
}

// detectGTZAN recognises genres_original/<genre>/ (Kaggle's GTZAN) or genres/<genre>/ (the
// original archive), at the top or below one wrapper folder.
func (o *opener) detectGTZAN() (string, error) {
	for _, d := range []string{"genres_original", "genres", "Data/genres_original", "data/genres_original"} {
		if !o.t.dirs[d] {
			continue
		}
		base, classes := o.classBase(d)
		if base == d && len(classes) > 0 {
			o.base = base
			return fmt.Sprintf("%d genre folders of %s under %s/ (GTZAN: genres_original/<genre>/<genre>.000NN.wav)",
				len(classes), o.media, base), nil
		}
	}
	return "", errors.New("no genres_original/<genre>/ folders")
}

// detectESC50 recognises folders named "NNN - Class".
func (o *opener) detectESC50() (string, error) {
	base, classes := o.classBase(".")
	n := 0
	for _, d := range classes {
		if escFolder.MatchString(path.Base(d)) {
			n++
		}
	}
	if n == 0 || 2*n < len(classes) {
		return "", fmt.Errorf("no folders named 'NNN - Class' (%d of %d data folders)", n, len(classes))
	}
	o.base = base
	return fmt.Sprintf("%d of %d data folders named 'NNN - Class' under %s (ESC-50 layout, fold in FOLD-CLIP-TAKE file names)",
		n, len(classes), displayDir(base)), nil
}

// detectFolders recognises any tree of class folders holding data files.
func (o *opener) detectFolders() (string, error) {
	base, classes := o.classBase(".")
	need := 2
	if o.spec.Layout == LayoutFolders {
		need = 1
	}
	if len(classes) < need {
		return "", fmt.Errorf("%d folders holding %s files under %s (need %d)", len(classes), o.media, displayDir(base), need)
	}
	o.base = base
	return fmt.Sprintf("%d class folders holding %s files under %s", len(classes), o.media, displayDir(base)), nil
}

func displayDir(d string) string {
	if d == "." {
		return "the top folder"
	}
	return d + "/"
}

// buildFolders makes one item per data file, labelled by its class folder. GTZAN file names
// must start with their genre; ESC-50 names give the fold, the source clip (the group) and the
// take. A wrongly named file is a problem and is skipped.
func (o *opener) buildFolders() error {
	c := o.c
	c.Task = Classify
	for _, f := range o.directMedia(o.base) {
		c.problem(o.t.abs(f), 0, errors.New("not in a class folder; skipped"))
	}
	gtzan := strings.HasSuffix(o.base, "genres_original") || o.base == "genres"
	for _, dir := range o.t.subdirs(o.base) {
		name := path.Base(dir)
		files := o.t.media(dir, o.media)
		if len(files) == 0 {
			c.problem(o.t.abs(dir), 0, fmt.Errorf("empty class folder: no %s files", o.media))
			continue
		}
		label := name
		esc := false
		if c.Layout == LayoutESC50 {
			m := escFolder.FindStringSubmatch(name)
			if m == nil {
				c.problem(o.t.abs(dir), 0, errors.New("folder name is not 'NNN - Class'; skipped"))
				continue
			}
			label, esc = m[1], true
		}
		o.declare(label, o.t.abs(dir))
		for _, f := range files {
			it := Item{ID: f, Path: o.t.abs(f), Label: label, RawLabel: label}
			base := path.Base(f)
			switch {
			case esc:
				m := escFile.FindStringSubmatch(base)
				if m == nil {
					c.problem(it.Path, 0, errors.New("file name is not FOLD-CLIP-TAKE (ESC-50, e.g. 1-100032-A.ogg); skipped"))
					continue
				}
				fold, err := strconv.Atoi(m[1])
				if err != nil || fold <= 0 {
					c.problem(it.Path, 0, fmt.Errorf("fold %q is not a positive number; skipped", m[1]))
					continue
				}
				it.Fold, it.Group, it.Take = fold, m[2], m[3]
			case gtzan:
				if !strings.HasPrefix(base, name+".") {
					c.problem(it.Path, 0, fmt.Errorf("file name does not start with its genre %q (GTZAN names are <genre>.000NN.wav); skipped", name))
					continue
				}
			}
			c.Items = append(c.Items, it)
		}
	}
	return nil
}
