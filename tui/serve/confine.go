package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hark-audio/hark/engine/dataset"
)

// ErrOutsideRoots is wrapped by every refusal of a path outside the served folders.
var ErrOutsideRoots = errors.New("outside the folders this server serves")

// Roots are the folders a remote user may read: the --data folders, each resolved once to an
// absolute path without symbolic links.
type Roots struct {
	dirs  []string // resolved, cleaned, absolute
	shown []string // as given, for messages
}

// NewRoots resolves the served folders. Each must exist.
func NewRoots(dirs []string) (*Roots, error) {
	r := &Roots{}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("--data %s: %w", d, err)
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return nil, fmt.Errorf("--data %s: %w", d, unwrapPath(err))
		}
		r.dirs = append(r.dirs, real)
		r.shown = append(r.shown, d)
	}
	return r, nil
}

// Dirs returns the resolved folders.
func (r *Roots) Dirs() []string { return append([]string(nil), r.dirs...) }

// Resolve returns path as an absolute path without symbolic links or "..", or an error wrapping
// ErrOutsideRoots when that path is not inside one of the roots. A relative path is taken
// relative to the first root. A path that does not exist yet is resolved through its deepest
// existing parent, so a link in a parent cannot lead outside either.
func (r *Roots) Resolve(path string) (string, error) {
	if len(r.dirs) == 0 {
		return "", fmt.Errorf("%s: %w (none are served)", path, ErrOutsideRoots)
	}
	p := path
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.dirs[0], p)
	}
	real, err := resolveExisting(filepath.Clean(p))
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if !r.contains(real) {
		return "", r.outside(path, real)
	}
	return real, nil
}

func (r *Roots) outside(path, real string) error {
	if real != filepath.Clean(path) {
		return fmt.Errorf("%s (which is %s): %w (%s)", path, real, ErrOutsideRoots, strings.Join(r.shown, ", "))
	}
	return fmt.Errorf("%s: %w (%s)", path, ErrOutsideRoots, strings.Join(r.shown, ", "))
}

// contains reports whether the resolved path real lies in (or is) one of the roots.
func (r *Roots) contains(real string) bool {
	for _, d := range r.dirs {
		rel, err := filepath.Rel(d, real)
		if err != nil {
			continue
		}
		if rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))) {
			return true
		}
	}
	return false
}

// resolveExisting evaluates the symbolic links of p's deepest existing ancestor and joins the
// rest, which cannot hold links since it does not exist.
func resolveExisting(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	parent := filepath.Dir(p)
	if parent == p {
		return "", err
	}
	realParent, perr := resolveExisting(parent)
	if perr != nil {
		return "", perr
	}
	return filepath.Join(realParent, filepath.Base(p)), nil
}

// Spec confines a dataset spec: its root and the files it names (a manifest, pair lists) must
// lie inside the roots. It returns the spec with the root resolved.
func (r *Roots) Spec(spec dataset.Spec) (dataset.Spec, error) {
	root, err := r.Resolve(spec.Root)
	if err != nil {
		return spec, err
	}
	in := func(name string) error {
		if name == "" {
			return nil
		}
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		_, err := r.Resolve(p)
		return err
	}
	if err := in(spec.Manifest.File); err != nil {
		return spec, fmt.Errorf("manifest %w", err)
	}
	for _, f := range spec.PairFiles {
		if err := in(f); err != nil {
			return spec, fmt.Errorf("pair list %w", err)
		}
	}
	if t := spec.Manifest.PathTemplate; t != "" {
		if err := in(strings.ReplaceAll(t, "{id}", "x")); err != nil {
			return spec, fmt.Errorf("path template %w", err)
		}
	}
	spec.Root = root
	spec.PairFiles = append([]string(nil), spec.PairFiles...)
	return spec, nil
}

// Catalog checks that every file of an opened catalog lies inside the roots: a manifest can
// name any path and a folder can hold a link to a file anywhere. Directories are resolved once
// each; a file is resolved on its own only when it is a link.
func (r *Roots) Catalog(cat *dataset.Catalog) error {
	dirs := map[string]bool{}
	check := func(path string) (string, bool) {
		dir := filepath.Dir(path)
		ok, seen := dirs[dir]
		if !seen {
			real, err := resolveExisting(dir)
			ok = err == nil && r.contains(real)
			dirs[dir] = ok
		}
		if !ok {
			real, _ := resolveExisting(dir)
			return real, false
		}
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, true
		}
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return path, false
		}
		return real, r.contains(real)
	}
	var first error
	bad := 0
	for _, list := range [][]dataset.Item{cat.Items, cat.Noise} {
		for _, it := range list {
			if real, ok := check(it.Path); !ok {
				bad++
				if first == nil {
					first = r.outside(it.Path, real)
				}
			}
		}
	}
	if bad == 0 {
		return nil
	}
	if bad == 1 {
		return fmt.Errorf("dataset %s: %w", cat.Root, first)
	}
	return fmt.Errorf("dataset %s: %d files lie outside the served folders; the first: %w", cat.Root, bad, first)
}

// unwrapPath drops an *fs.PathError's repetition of the path the message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
