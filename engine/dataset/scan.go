package dataset

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Media kinds a layout can hold.
const (
	MediaAudio = "audio"
	MediaNpy   = "npy"
	MediaImage = "image"
)

// mediaOf classifies a file name by its extension ("" for anything else: READMEs, lists, CSVs).
func mediaOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".wav", ".wave", ".au", ".snd", ".flac", ".ogg", ".oga", ".mp3":
		return MediaAudio
	case ".npy":
		return MediaNpy
	case ".jpg", ".jpeg", ".png":
		return MediaImage
	}
	return ""
}

// tree is the listing of a dataset folder, read once so that layout detection and the layouts
// themselves never walk the disk twice.
type tree struct {
	root  string
	files []string        // relative, slash-separated, sorted
	dirs  map[string]bool // relative, slash-separated; "." is the root
	// ignored counts the folders skipped by Rules.Ignore, by pattern.
	ignored map[string]int
}

// scan lists root. Hidden entries (".git", ".DS_Store", AppleDouble "._x.wav") and __MACOSX
// are skipped: they are never data. Unreadable folders become problems.
func scan(root string, ignore []string) (*tree, []Problem, error) {
	for _, pat := range ignore {
		if _, err := path.Match(pat, ""); err != nil {
			return nil, nil, fmt.Errorf("ignore pattern %q: %w", pat, err)
		}
	}
	t := &tree{root: root, dirs: map[string]bool{".": true}, ignored: map[string]int{}}
	// WalkDir does not follow a root that is a link (a dataset linked into place is common):
	// walk its target, and keep naming files through the link.
	walkRoot := root
	if st, err := os.Lstat(root); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		if walkRoot, err = filepath.EvalSymlinks(root); err != nil {
			return nil, nil, err
		}
	}
	var problems []Problem
	err := filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
		rel := filepath.ToSlash(mustRel(walkRoot, p))
		if err != nil {
			if p == walkRoot {
				return err
			}
			problems = append(problems, Problem{Path: t.abs(rel), Err: fmt.Errorf("cannot read: %w", withoutPath(err, p))})
			return nil
		}
		if p == walkRoot {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") || name == "__MACOSX" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			for _, pat := range ignore {
				if ok, _ := path.Match(pat, name); ok {
					t.ignored[pat]++
					return filepath.SkipDir
				}
			}
			t.dirs[rel] = true
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// A link to a file is data; a link to a folder is not followed (it could loop).
			st, err := os.Stat(p)
			if err != nil {
				problems = append(problems, Problem{Path: t.abs(rel), Err: fmt.Errorf("broken link: %w", withoutPath(err, p))})
				return nil
			}
			if !st.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		t.files = append(t.files, rel)
		return nil
	})
	if err != nil {
		return nil, problems, err
	}
	sort.Strings(t.files)
	return t, problems, nil
}

// withoutPath keeps err (for errors.Is) but drops the file's path from its text: a Problem
// names the file once, in its Path.
func withoutPath(err error, path string) error {
	msg := err.Error()
	for _, prefix := range []string{"audio: probe " + path + ": ", "audio: " + path + ": ", "open " + path + ": ", "lstat " + path + ": ", path + ": "} {
		msg = strings.Replace(msg, prefix, "", 1)
	}
	if msg == err.Error() {
		return err
	}
	return pathless{msg: msg, err: err}
}

type pathless struct {
	msg string
	err error
}

func (e pathless) Error() string { return e.msg }
func (e pathless) Unwrap() error { return e.err }

func mustRel(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		// WalkDir only yields paths under root; keep the full path rather than fail.
		return p
	}
	return rel
}

// abs joins a relative slash path to the root.
func (t *tree) abs(rel string) string { return filepath.Join(t.root, filepath.FromSlash(rel)) }

// has reports whether the relative file exists.
func (t *tree) has(rel string) bool {
	i := sort.SearchStrings(t.files, rel)
	return i < len(t.files) && t.files[i] == rel
}

// under returns the files below dir ("." for all), relative to the root.
func (t *tree) under(dir string) []string {
	if dir == "." || dir == "" {
		return t.files
	}
	prefix := dir + "/"
	lo := sort.SearchStrings(t.files, prefix)
	hi := lo
	for hi < len(t.files) && strings.HasPrefix(t.files[hi], prefix) {
		hi++
	}
	return t.files[lo:hi]
}

// subdirs returns the immediate sub-folders of dir, sorted.
func (t *tree) subdirs(dir string) []string {
	var out []string
	for d := range t.dirs {
		if d != "." && path.Dir(d) == dir {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// media returns the files below dir whose media kind is kind.
func (t *tree) media(dir, kind string) []string {
	var out []string
	for _, f := range t.under(dir) {
		if mediaOf(f) == kind {
			out = append(out, f)
		}
	}
	return out
}

// mediaKind picks the media a dataset is made of: audio when there is any (features stored
// beside the audio are a cache, not the data), else precomputed .npy features; want overrides.
func (t *tree) mediaKind(want string) (string, error) {
	switch want {
	case MediaAudio, MediaNpy, MediaImage:
		return want, nil
	case "":
	default:
		return "", fmt.Errorf("media %q: want %q, %q or %q", want, MediaAudio, MediaNpy, MediaImage)
	}
	if len(t.media(".", MediaAudio)) > 0 {
		return MediaAudio, nil
	}
	if len(t.media(".", MediaNpy)) > 0 {
		return MediaNpy, nil
	}
	return MediaAudio, nil
}
