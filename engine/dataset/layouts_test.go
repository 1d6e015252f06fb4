package dataset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every layout on generated trees, with the bad input each one must report and skip.

func TestFolders(t *testing.T) {
	w := wavBytes(8000, 1, 8000)
	root := makeTree(t, files{
		"dog/a.wav":       w,
		"dog/b.wav":       w,
		"dog/sub/c.wav":   wavBytes(8000, 2, 4000),
		"cat/a.wav":       w,
		"cat/text.wav":    []byte("this is not audio"),
		"cat/empty.wav":   {},
		"cat/silent.wav":  wavBytes(8000, 1, 0),
		"cat/cut.wav":     w[:30],
		"cat/README.md":   []byte("notes"),
		"cat/.DS_Store":   []byte("junk"),
		"cat/._a.wav":     []byte("AppleDouble"),
		"bird/only.wav":   []byte("RIFF"),
		"empty":           nil,
		"docs/notes.txt":  []byte("no audio here"),
		"stray.wav":       w,
		".git/HEAD":       []byte("ref"),
		"__MACOSX/x.wav":  w,
		"cat/ok-too.flac": nil, // a folder named like a file is not a file
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutFolders || c.Task != Classify {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	if got := classCounts(c); len(got) != 2 || got["dog"] != 3 || got["cat"] != 1 {
		t.Errorf("classes %v, want dog 3, cat 1", got)
	}
	wantProblem(t, c, "cat/text.wav", 0, "unreadable audio")
	wantProblem(t, c, "cat/empty.wav", 0, "empty file")
	wantProblem(t, c, "cat/silent.wav", 0, "no sample frames")
	wantProblem(t, c, "cat/cut.wav", 0, "unreadable audio")
	wantProblem(t, c, "bird/only.wav", 0, "unreadable audio")
	wantProblem(t, c, "/bird", 0, `class "bird" has no usable file`)
	wantProblem(t, c, "/empty", 0, "empty class folder")
	wantProblem(t, c, "/docs", 0, "empty class folder")
	wantProblem(t, c, "/stray.wav", 0, "not in a class folder")
	if len(c.Problems) != 9 {
		t.Errorf("%d problems, want 9:\n%s", len(c.Problems), problemList(c))
	}
	it := itemByID(t, c, "dog/sub/c.wav")
	if it.Channels != 2 || it.Duration != 500*time.Millisecond || it.Frames != 4000 || it.Label != "dog" {
		t.Errorf("dog/sub/c.wav probed as %+v", it)
	}
	// The file is named once: in the problem's path, not again in its reason.
	for _, p := range c.Problems {
		if strings.Contains(p.Err.Error(), root) {
			t.Errorf("problem repeats the path: %v", p)
		}
	}

	// A dataset linked into place opens through the link.
	link := filepath.Join(t.TempDir(), "linked")
	if err := os.Symlink(root, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	l := open(t, Spec{Root: link})
	if len(l.Items) != len(c.Items) || !strings.HasPrefix(l.Items[0].Path, link) {
		t.Errorf("through a link: %d items, first %s", len(l.Items), l.Items[0].Path)
	}
}

func TestFoldersThroughWrappers(t *testing.T) {
	w := wavBytes(22050, 1, 2205)
	root := makeTree(t, files{
		"Data/genres_original/blues/blues.00000.wav": w,
		"Data/genres_original/blues/rock.00001.wav":  w,
		"Data/genres_original/rock/rock.00000.wav":   w,
		"Data/images_original/blues/blues.png":       []byte("png"),
		"Data/features_30_sec.csv":                   []byte("filename,label\nblues.00000.wav,blues\n"),
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutFolders || !strings.Contains(c.Why, "GTZAN") {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	if len(c.Items) != 2 {
		t.Errorf("%d items, want 2", len(c.Items))
	}
	wantProblem(t, c, "blues/rock.00001.wav", 0, "does not start with its genre")

	// A plain tree wrapped in one folder is found too.
	root = makeTree(t, files{"audio/a/1.wav": w, "audio/b/1.wav": w, "README.md": []byte("x")})
	c = open(t, Spec{Root: root})
	if c.Layout != LayoutFolders || len(c.Classes) != 2 || !strings.Contains(c.Why, "audio/") {
		t.Errorf("wrapped folders: layout %s, %d classes (%s)", c.Layout, len(c.Classes), c.Why)
	}
}

func TestESC50(t *testing.T) {
	w := wavBytes(44100, 1, 4410)
	root := makeTree(t, files{
		"101 - Dog/1-100032-A.ogg":     w, // a WAV named .ogg still probes: the header decides
		"101 - Dog/2-110389-A.ogg":     w,
		"102 - Rooster/1-26806-A.ogg":  w,
		"102 - Rooster/3-26806-B.ogg":  w,
		"102 - Rooster/rooster.ogg":    w,
		"103 - Rain/4-1234-A.ogg":      w,
		"103 - Rain/0-1234-A.ogg":      w,
		"notes/readme.txt":             []byte("x"),
		"104 - Sea waves/5-9999-A.ogg": w,
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutESC50 {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	if got := classCounts(c); got["Dog"] != 2 || got["Rooster"] != 2 || got["Rain"] != 1 || got["Sea waves"] != 1 {
		t.Errorf("classes %v", got)
	}
	it := itemByID(t, c, "102 - Rooster/3-26806-B.ogg")
	if it.Fold != 3 || it.Group != "26806" || it.Take != "B" {
		t.Errorf("ESC-50 name read as fold %d, clip %s, take %s", it.Fold, it.Group, it.Take)
	}
	wantProblem(t, c, "rooster.ogg", 0, "FOLD-CLIP-TAKE")
	wantProblem(t, c, "0-1234-A.ogg", 0, "not a positive number")
	wantProblem(t, c, "/notes", 0, "empty class folder")

	s, err := Split(c, SplitSpec{Kind: SplitFold, Fold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Folds[0].Test) != 2 || len(s.Folds[0].Train) != 4 {
		t.Errorf("fold 1 held out: %d test, %d train; want 2, 4", len(s.Folds[0].Test), len(s.Folds[0].Train))
	}
	cv, err := Split(c, SplitSpec{Kind: SplitFolds})
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Folds) != 5 {
		t.Errorf("%d folds, want 5 (1, 2, 3, 4, 5)", len(cv.Folds))
	}
	if _, err := Split(c, SplitSpec{Kind: SplitFold, Fold: 9}); err == nil || !strings.Contains(err.Error(), "no item is in fold 9") {
		t.Errorf("fold 9: %v", err)
	}
}

// speechTree is a small Speech Commands tree: three speakers saying yes, no and two other
// words, two noise files, and list files with good, absent and malformed lines.
func speechTree(t *testing.T) string {
	w := wavBytes(16000, 1, 16000)
	fs := files{
		"_background_noise_/white.wav": wavBytes(16000, 1, 16000*10),
		"_background_noise_/pink.wav":  wavBytes(16000, 1, 16000*10),
		"_background_noise_/README.md": []byte("noise"),
		"LICENSE":                      []byte("CC BY 4.0"),
		"validation_list.txt": []byte("yes/bbb_nohash_0.wav\nno/bbb_nohash_0.wav\ncat/bbb_nohash_0.wav\n" +
			"dog/bbb_nohash_0.wav\nyes/absent_nohash_0.wav\n/abs/yes.wav\n\nyes/../x.wav\nnofolder.wav\n"),
		"testing_list.txt": []byte("yes/ccc_nohash_0.wav\r\nno/ccc_nohash_0.wav\r\ncat/ccc_nohash_0.wav\r\n" +
			"dog/ccc_nohash_0.wav\r\nyes/bbb_nohash_0.wav\r\nyes/ccc_nohash_1.wav\tx\r\n"),
	}
	for _, word := range []string{"yes", "no", "cat", "dog"} {
		for _, sp := range []string{"aaa", "bbb", "ccc"} {
			fs[word+"/"+sp+"_nohash_0.wav"] = w
		}
		fs[word+"/aaa_nohash_1.wav"] = w
		fs[word+"/ddd_nohash_0.wav"] = w
	}
	return makeTree(t, fs)
}

func TestSpeechCommands(t *testing.T) {
	root := speechTree(t)
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutSpeechCommands || len(c.Items) != 20 || len(c.Noise) != 2 || len(c.Classes) != 4 {
		t.Fatalf("layout %s, %d items, %d noise, %d classes (%s)", c.Layout, len(c.Items), len(c.Noise), len(c.Classes), c.Why)
	}
	it := itemByID(t, c, "yes/aaa_nohash_1.wav")
	if it.Group != "aaa" || it.Take != "1" || it.Subset != SubsetTrain {
		t.Errorf("yes/aaa_nohash_1.wav read as %+v", it)
	}
	if s := itemByID(t, c, "cat/bbb_nohash_0.wav").Subset; s != SubsetVal {
		t.Errorf("cat/bbb is %q, want val", s)
	}
	if s := itemByID(t, c, "dog/ccc_nohash_0.wav").Subset; s != SubsetTest {
		t.Errorf("dog/ccc is %q, want test", s)
	}
	wantProblem(t, c, "validation_list.txt", 6, "absolute path")
	wantProblem(t, c, "validation_list.txt", 8, "not a clean relative path")
	wantProblem(t, c, "validation_list.txt", 9, "no folder")
	wantProblem(t, c, "testing_list.txt", 5, "also listed in validation_list.txt")
	wantProblem(t, c, "testing_list.txt", 6, "2 fields")
	if len(c.Problems) != 5 {
		t.Errorf("%d problems, want 5:\n%s", len(c.Problems), problemList(c))
	}
	want := []string{
		"validation_list.txt: 5 entries, 4 present, 1 name absent files (ignored)",
		"testing_list.txt: 5 entries, 4 present, 1 name absent files (ignored)",
	}
	if strings.Join(c.Notes, "|") != strings.Join(want, "|") {
		t.Errorf("notes %q\nwant %q", c.Notes, want)
	}
}

func TestKeywordTask(t *testing.T) {
	root := speechTree(t)
	spec := Spec{Root: root, Keywords: &KeywordSpec{Words: []string{"yes", "no"}, UnknownShare: 0.5, SilenceCount: 5, Seed: 9}}
	c := open(t, spec)
	if c.Layout != LayoutSpeechCommands12 {
		t.Fatalf("layout %s", c.Layout)
	}
	// Per subset: train 3+3 known -> 3 unknown, val 2 -> 1, test 2 -> 1.
	got := classCounts(c)
	if got["yes"] != 5 || got["no"] != 5 || got["unknown"] != 5 || got["silence"] != 5 || len(got) != 4 {
		t.Fatalf("classes %v", got)
	}
	perSubset := map[string]map[string]int{}
	for _, it := range c.Items {
		if perSubset[it.Subset] == nil {
			perSubset[it.Subset] = map[string]int{}
		}
		perSubset[it.Subset][it.Label]++
		if it.Label == "unknown" && it.RawLabel != "cat" && it.RawLabel != "dog" {
			t.Errorf("unknown item %s from %q", it.ID, it.RawLabel)
		}
	}
	if perSubset[SubsetTrain]["unknown"] != 3 || perSubset[SubsetVal]["unknown"] != 1 || perSubset[SubsetTest]["unknown"] != 1 {
		t.Errorf("unknown per subset: %v", perSubset)
	}
	// Silence: 5 shared 6/10, 2/10, 2/10 -> 3, 1, 1; each subset cuts its own stretch of the
	// 10 s noise files (train 0-6 s, val 6-8 s, test 8-10 s).
	stretch := map[string][2]time.Duration{SubsetTrain: {0, 6 * time.Second}, SubsetVal: {6 * time.Second, 8 * time.Second},
		SubsetTest: {8 * time.Second, 10 * time.Second}}
	for _, it := range c.Items {
		if it.Label != "silence" {
			continue
		}
		r := stretch[it.Subset]
		if it.Offset < r[0] || it.Offset+it.Length > r[1] || it.Length != time.Second || !strings.HasPrefix(it.ID, it.Parent+"#") {
			t.Errorf("silence %s in %s at %v+%v, outside %v", it.ID, it.Subset, it.Offset, it.Length, r)
		}
	}
	if perSubset[SubsetTrain]["silence"] != 3 || perSubset[SubsetVal]["silence"] != 1 || perSubset[SubsetTest]["silence"] != 1 {
		t.Errorf("silence per subset: %v", perSubset)
	}
	if len(c.Applied) != 1 || c.Applied[0].Rule != "keywords" {
		t.Errorf("applied %+v", c.Applied)
	}

	other := open(t, Spec{Root: root, Keywords: &KeywordSpec{Words: []string{"yes", "no"}, UnknownShare: 0.5, SilenceCount: 5, Seed: 10}})
	if sameIDs(c, other) {
		t.Error("seeds 9 and 10 chose the same unknown items and silence offsets")
	}
	again := open(t, spec)
	if !sameIDs(c, again) {
		t.Error("the same seed gave a different task")
	}

	if _, err := Open(Spec{Root: root, Keywords: &KeywordSpec{Words: []string{"yes", "maybe"}}}); err == nil || !strings.Contains(err.Error(), `"maybe"`) {
		t.Errorf("absent target word: %v", err)
	}
	if _, err := Open(Spec{Root: root, Keywords: &KeywordSpec{Words: []string{"yes", "unknown"}}}); err == nil {
		t.Error("'unknown' accepted as a target word")
	}
	noNoise := makeTree(t, files{"yes/a_nohash_0.wav": wavBytes(16000, 1, 16000), "no/a_nohash_0.wav": wavBytes(16000, 1, 16000),
		"validation_list.txt": []byte("")})
	if _, err := Open(Spec{Root: noNoise, Keywords: &KeywordSpec{Words: []string{"yes"}, SilenceCount: 3}}); err == nil ||
		!strings.Contains(err.Error(), "background noise") {
		t.Errorf("silence without noise: %v", err)
	}
	c = open(t, Spec{Root: noNoise, Keywords: &KeywordSpec{Words: []string{"yes"}}})
	if classCounts(c)["silence"] != 0 || !strings.Contains(strings.Join(c.Notes, "\n"), "no silence class") {
		t.Errorf("default silence without noise: %v, notes %q", classCounts(c), c.Notes)
	}
}

func sameIDs(a, b *Catalog) bool {
	if len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Items {
		if a.Items[i].ID != b.Items[i].ID || a.Items[i].Offset != b.Items[i].Offset || a.Items[i].Label != b.Items[i].Label {
			return false
		}
	}
	return true
}

func TestFilenameLayouts(t *testing.T) {
	w := wavBytes(8000, 1, 800)
	root := makeTree(t, files{
		"recordings/0_alice_0.wav":  w,
		"recordings/0_alice_1.wav":  w,
		"recordings/1_bob_0.wav":    w,
		"recordings/1_bob_12.wav":   w,
		"recordings/one_bob_2.wav":  w,
		"recordings/1-bob-3.wav":    w,
		"recordings/2_carol_0.wav":  []byte("garbage"),
		"recordings/metadata.txt":   []byte("x"),
		"recordings/ignored/x.json": []byte("{}"),
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutFSDD || !strings.Contains(c.Why, "recordings/") {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	if len(c.Items) != 4 || strings.Join(c.Groups(), ",") != "alice,bob" {
		t.Errorf("%d items, groups %v", len(c.Items), c.Groups())
	}
	wantProblem(t, c, "one_bob_2.wav", 0, "does not match")
	wantProblem(t, c, "1-bob-3.wav", 0, "does not match")
	wantProblem(t, c, "2_carol_0.wav", 0, "unreadable audio")
	wantProblem(t, c, "/recordings", 0, `class "2" has no usable file`)

	// A custom expression with a fold.
	root = makeTree(t, files{"clips/f1-dog-s7.wav": w, "clips/f2-cat-s8.wav": w, "clips/f2-cat-s9.wav": w, "clips/x.wav": w})
	c = open(t, Spec{Root: root, Regex: `f(?P<fold>\d+)-(?P<label>[a-z]+)-(?P<group>s\d+)\.wav`})
	if c.Layout != LayoutFilename || len(c.Items) != 3 || itemByID(t, c, "clips/f2-cat-s8.wav").Fold != 2 {
		t.Errorf("custom expression: layout %s, %d items", c.Layout, len(c.Items))
	}
	wantProblem(t, c, "clips/x.wav", 0, "does not match")
	for _, bad := range []string{`(?P<group>\w+)\.wav`, `(?P<label>[`} {
		if _, err := Open(Spec{Root: root, Regex: bad}); err == nil {
			t.Errorf("expression %q accepted", bad)
		}
	}
	if _, err := Open(Spec{Root: root, Preset: "nope"}); err == nil || !strings.Contains(err.Error(), "unknown file-name preset") {
		t.Errorf("unknown preset: %v", err)
	}
}

func TestCSVManifest(t *testing.T) {
	w := wavBytes(16000, 1, 1600)
	root := makeTree(t, files{
		"audio/a.wav": w, "audio/b.wav": w, "audio/c.wav": w, "audio/d.wav": w, "audio/e.wav": w,
		"other/g.wav": w, "audio/g.wav": w, "audio/f.wav": w,
		"meta/songs.csv": []byte("\ufefffilename,genre,artist,valence,energy\n" +
			"a.wav,rock,x,0.5,0.25\n" + // line 2: found by name in audio/
			"audio/b.wav,pop,y,0.1,0.9\n" + // line 3: relative to the root
			"c.wav,pop,y,high,0.9\n" + // line 4: non-numeric target
			"d.wav,rock,z\n" + // line 5: too few fields
			"missing.wav,rock,z,0.1,0.1\n" + // line 6: no such file
			"\"e.wav\",\"jazz\",\"z\",\"1e-1\",\"0\"\n" + // line 7: quoted
			"audio/e.wav,jazz,z,0.1,0.1\n" + // line 8: duplicate
			",rock,z,0.1,0.1\n" + // line 9: no path
			"f.wav,\"un\"closed,z,0,0\n" + // line 10: a bare quote
			"g.wav,rock,z,0,0\n" + // line 11: two files named g.wav
			"\n"),
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutManifest || c.Task != Classify || !strings.Contains(c.Why, "meta/songs.csv") {
		t.Fatalf("layout %s task %s (%s)", c.Layout, c.Task, c.Why)
	}
	if strings.Join(c.Targets, ",") != "energy,valence" || len(c.Items) != 3 {
		t.Fatalf("targets %v, %d items; problems:\n%s", c.Targets, len(c.Items), problemList(c))
	}
	it := itemByID(t, c, "audio/a.wav")
	if it.Label != "rock" || it.Group != "x" || it.Targets["valence"] != 0.5 || it.Targets["energy"] != 0.25 {
		t.Errorf("line 2 read as %+v", it)
	}
	csv := "meta/songs.csv"
	wantProblem(t, c, csv, 4, `valence "high" is not a number`)
	wantProblem(t, c, csv, 5, "3 fields, but the header has 5")
	wantProblem(t, c, csv, 6, "missing.wav not found")
	wantProblem(t, c, csv, 8, `duplicate id "audio/e.wav" (first on line 7)`)
	wantProblem(t, c, csv, 9, "empty filename")
	wantProblem(t, c, csv, 10, "quote")
	wantProblem(t, c, csv, 11, "ambiguous")
	if len(c.Problems) != 7 {
		t.Errorf("%d problems, want 7:\n%s", len(c.Problems), problemList(c))
	}
}

func TestJSONManifests(t *testing.T) {
	w := wavBytes(22050, 1, 2205)
	// MUStARD's shape: records keyed by id, the label a boolean, lists left out.
	root := makeTree(t, files{
		"data/sarcasm_data.json": []byte(`{
    "1_60": {"utterance": "hi", "speaker": "SHELDON", "context": ["a", "b"], "sarcasm": true},
    "1_70": {"utterance": "ho", "speaker": "PENNY", "context": [], "sarcasm": false},
    "1_80": {"speaker": "PENNY", "sarcasm": false},
    "1_90": "not a record",
    "1_95": {"speaker": "RAJ", "sarcasm": null}
}`),
		"utterances_final_wav/1_60.wav": w,
		"utterances_final_wav/1_70.wav": w,
		"utterances_final_wav/1_95.wav": w,
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutMUStARD || len(c.Items) != 2 {
		t.Fatalf("layout %s, %d items (%s); problems:\n%s", c.Layout, len(c.Items), c.Why, problemList(c))
	}
	if it := itemByID(t, c, "1_60"); it.Label != "true" || it.Group != "SHELDON" {
		t.Errorf("1_60 read as %+v", it)
	}
	js := "data/sarcasm_data.json"
	wantProblem(t, c, js, 4, "utterances_final_wav/1_80.wav not found")
	wantProblem(t, c, js, 5, `record "1_90" is not an object`)
	wantProblem(t, c, js, 6, "empty sarcasm")

	// An array of records with regression targets only, named explicitly; then a syntax error.
	root = makeTree(t, files{
		"a.wav": w, "b.wav": w,
		"tracks.json": []byte("[\n {\"path\": \"a.wav\", \"valence\": 0.25, \"speaker\": \"x\"},\n" +
			" {\"path\": \"b.wav\", \"valence\": \"0.5\"},\n {\"path\": \"c.wav\", \"valence\": 1}\n]"),
		"broken.json": []byte("[\n {\"path\": \"a.wav\", \"valence\": 0.25},\n {\"path\": \"b.wav\", \"valence\": 0.5,,}\n]"),
	})
	c = open(t, Spec{Root: root, Manifest: ManifestSpec{File: "tracks.json"}})
	if c.Task != Regress || len(c.Items) != 2 || strings.Join(c.Targets, ",") != "valence" {
		t.Fatalf("task %s, %d items, targets %v; problems:\n%s", c.Task, len(c.Items), c.Targets, problemList(c))
	}
	if it := itemByID(t, c, "a.wav"); it.Targets["valence"] != 0.25 || it.Group != "x" {
		t.Errorf("a.wav read as %+v", it)
	}
	wantProblem(t, c, "tracks.json", 4, "c.wav not found")
	c = open(t, Spec{Root: filepath.Join(root, "broken.json")})
	if len(c.Items) != 1 {
		t.Errorf("broken.json: %d items before the error, want 1", len(c.Items))
	}
	wantProblem(t, c, "broken.json", 3, "JSON")

	// Field names given explicitly must exist.
	if _, err := Open(Spec{Root: root, Manifest: ManifestSpec{File: "tracks.json", Label: "mood"}}); err == nil ||
		!strings.Contains(err.Error(), `no label field "mood"`) {
		t.Errorf("absent label field: %v", err)
	}
	root = makeTree(t, files{"a.wav": w, "list.csv": []byte("path,comment\na.wav,nice\n")})
	if _, err := Open(Spec{Root: root, Layout: LayoutManifest}); err == nil || !strings.Contains(err.Error(), "no label or regression target field") {
		t.Errorf("manifest without labels: %v", err)
	}
}

func TestPairLists(t *testing.T) {
	img := jpegBytes(t, 8, 6)
	root := makeTree(t, files{
		"lfw/Ann_Lee/Ann_Lee_0001.jpg": img, "lfw/Ann_Lee/Ann_Lee_0002.jpg": img,
		"lfw/Bo_Ng/Bo_Ng_0001.jpg": img, "lfw/Bo_Ng/Bo_Ng_0003.jpg": []byte("not a jpeg"),
		"pairsDevTrain.txt": []byte("3\nAnn_Lee\t1\t2\nBo_Ng\t1\t2\nAnn_Lee\t1\tBo_Ng\t1\nAnn_Lee\t2\tBo_Ng\t3\n" +
			"Ann_Lee\t1\tBo_Ng\nAnn_Lee\tx\t2\n"),
		"pairsDevTest.txt": []byte("Ann_Lee\t2\t1\nAnn_Lee\t1\tBo_Ng\t1\n"),
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutPairs || c.Task != Pairs {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	same, diff := c.SameDifferent()
	if same != 2 || diff != 2 {
		t.Errorf("%d same, %d different; want 2, 2; problems:\n%s", same, diff, problemList(c))
	}
	train := "pairsDevTrain.txt"
	wantProblem(t, c, train, 1, "count header says 3 same and 3 different pairs; found 2 and 2")
	wantProblem(t, c, train, 3, "Bo_Ng_0002.jpg not found")
	wantProblem(t, c, train, 6, `image number "Bo_Ng"`)
	wantProblem(t, c, train, 7, `image number "x"`)
	wantProblem(t, c, "Bo_Ng_0003.jpg", 0, "unreadable image")
	subsets := map[string]int{}
	for _, p := range c.Pairs {
		subsets[p.Subset]++
	}
	if subsets[SubsetTrain] != 2 || subsets[SubsetTest] != 2 {
		t.Errorf("pair subsets %v", subsets)
	}
	if n := strings.Join(c.Notes, ""); !strings.Contains(n, "1 pairs dropped") {
		t.Errorf("notes %q: the pair with the unreadable image must be counted", c.Notes)
	}

	// Audio pairs with a header row; LFW's pairs.txt folds.
	w := wavBytes(8000, 1, 800)
	root = makeTree(t, files{"a.wav": w, "b.wav": w, "sub/c.wav": w,
		"speaker_pairs.csv": []byte("a,b,label\na.wav,b.wav,same\na.wav,sub/c.wav,different\nb.wav,c.wav,maybe\nb.wav,nope.wav,same\n")})
	c = open(t, Spec{Root: root})
	if same, diff := c.SameDifferent(); c.Layout != LayoutPairs || same != 1 || diff != 1 || len(c.Items) != 3 {
		t.Errorf("audio pairs: layout %s, %d same, %d different, %d items", c.Layout, same, diff, len(c.Items))
	}
	wantProblem(t, c, "speaker_pairs.csv", 4, "want same or different")
	wantProblem(t, c, "speaker_pairs.csv", 5, "nope.wav not found")

	var lines strings.Builder
	lines.WriteString("3\t1\n")
	for set := 0; set < 3; set++ {
		lines.WriteString("Ann_Lee\t1\t2\nAnn_Lee\t2\tBo_Ng\t1\n")
	}
	root = makeTree(t, files{"lfw/Ann_Lee/Ann_Lee_0001.jpg": img, "lfw/Ann_Lee/Ann_Lee_0002.jpg": img,
		"lfw/Bo_Ng/Bo_Ng_0001.jpg": img, "pairs.txt": []byte(lines.String())})
	c = open(t, Spec{Root: root})
	for i, p := range c.Pairs {
		if p.Fold != i/2+1 || p.Subset != "" {
			t.Errorf("pair %d: fold %d subset %q, want fold %d", i, p.Fold, p.Subset, i/2+1)
		}
	}
	cv, err := Split(c, SplitSpec{Kind: SplitFolds})
	if err != nil || len(cv.Folds) != 3 || len(cv.Folds[2].Test) != 2 || len(cv.Folds[2].Train) != 4 {
		t.Errorf("LFW folds: %v, %+v", err, cv.Folds)
	}
}

func TestNpyFeatures(t *testing.T) {
	good := npyBytes(13, 40)
	root := makeTree(t, files{
		"yes/a.npy": good, "yes/b.npy": npyBytes(13, 38), "no/a.npy": good,
		"no/cut.npy": good[:len(good)-10], "no/zero.npy": npyBytes(13, 0), "no/text.npy": []byte("hello"),
	})
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutFolders || len(c.Items) != 3 {
		t.Fatalf("layout %s, %d items; problems:\n%s", c.Layout, len(c.Items), problemList(c))
	}
	if sh := itemByID(t, c, "yes/b.npy").Shape; len(sh) != 2 || sh[0] != 13 || sh[1] != 38 {
		t.Errorf("shape %v", sh)
	}
	wantProblem(t, c, "no/cut.npy", 0, "truncated .npy")
	wantProblem(t, c, "no/zero.npy", 0, "holds no values")
	wantProblem(t, c, "no/text.npy", 0, "unreadable .npy")

	// The other layouts take features too: FSDD names, Speech Commands lists naming .wav.
	c = open(t, Spec{Root: makeTree(t, files{"recordings/3_theo_0.npy": good, "recordings/4_theo_1.npy": good})})
	if c.Layout != LayoutFSDD || len(c.Items) != 2 {
		t.Errorf("FSDD features: layout %s, %d items", c.Layout, len(c.Items))
	}
	c = open(t, Spec{Root: makeTree(t, files{"yes/a_nohash_0.npy": good, "no/b_nohash_0.npy": good,
		"testing_list.txt": []byte("yes/a_nohash_0.wav\n")})})
	if c.Layout != LayoutSpeechCommands || itemByID(t, c, "yes/a_nohash_0.npy").Subset != SubsetTest {
		t.Errorf("Speech Commands features: layout %s, items %+v", c.Layout, c.Items)
	}

	// Features next to the audio: the audio is the data unless npy is asked for.
	w := wavBytes(8000, 1, 800)
	root = makeTree(t, files{"x/1.wav": w, "x/1.npy": good, "y/1.wav": w, "y/1.npy": good})
	if c := open(t, Spec{Root: root}); c.Items[0].ID != "x/1.wav" {
		t.Errorf("mixed tree opened %s", c.Items[0].ID)
	}
	if c := open(t, Spec{Root: root, Media: MediaNpy}); c.Items[0].ID != "x/1.npy" {
		t.Errorf("media npy opened %s", c.Items[0].ID)
	}
}

func TestBadRoots(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := Open(Spec{Root: missing}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing root: %v", err)
	}
	if _, err := Open(Spec{}); err == nil {
		t.Error("empty root accepted")
	}
	empty := t.TempDir()
	if _, err := Open(Spec{Root: empty}); !errors.Is(err, ErrNoLayout) {
		t.Errorf("empty folder: %v", err)
	}
	flat := makeTree(t, files{"a.wav": wavBytes(8000, 1, 80), "b.wav": wavBytes(8000, 1, 80)})
	if _, err := Open(Spec{Root: flat}); !errors.Is(err, ErrNoLayout) || !strings.Contains(err.Error(), "2 audio") {
		t.Errorf("flat folder: %v", err)
	}
	if _, err := Open(Spec{Root: flat, Layout: "cassette"}); err == nil || !strings.Contains(err.Error(), `unknown layout "cassette"`) {
		t.Errorf("unknown layout: %v", err)
	}
	if _, err := Open(Spec{Root: flat, Layout: LayoutSpeechCommands}); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("forced layout that does not fit: %v", err)
	}
	if _, err := Open(Spec{Root: filepath.Join(flat, "a.wav")}); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("root naming a WAV: %v", err)
	}
	broken := makeTree(t, files{"a/x.wav": []byte("no"), "b/y.wav": []byte("no")})
	if _, err := Open(Spec{Root: broken}); err == nil || !strings.Contains(err.Error(), "no usable items") {
		t.Errorf("all files unreadable: %v", err)
	}
	if os.Getuid() != 0 {
		locked := makeTree(t, files{"a/x.wav": wavBytes(8000, 1, 80), "b/y.wav": wavBytes(8000, 1, 80), "c/z.wav": wavBytes(8000, 1, 80)})
		os.Chmod(filepath.Join(locked, "c"), 0)
		defer os.Chmod(filepath.Join(locked, "c"), 0o755)
		c := open(t, Spec{Root: locked})
		wantProblem(t, c, "/c", 0, "cannot read")
	}
}

func TestRules(t *testing.T) {
	w := wavBytes(8000, 1, 800)
	fs := files{}
	for class, n := range map[string]int{"rock": 4, "metal": 3, "pop": 5, "polka": 1, "jazz": 2} {
		for i := range n {
			fs[class+"/"+string(rune('a'+i))+".wav"] = w
		}
	}
	fs["backup/x/a.wav"] = w
	root := makeTree(t, fs)
	c := open(t, Spec{Root: root, Rules: Rules{
		Merge:    []Merge{{Pattern: "rock|metal", Into: "heavy"}, {Pattern: "disco", Into: "dance"}},
		MinCount: 3,
		Ignore:   []string{"backup"},
	}})
	if got := classCounts(c); len(got) != 2 || got["heavy"] != 7 || got["pop"] != 5 {
		t.Errorf("classes %v, want heavy 7, pop 5", got)
	}
	if it := itemByID(t, c, "metal/a.wav"); it.RawLabel != "metal" || it.Label != "heavy" {
		t.Errorf("merged item %+v", it)
	}
	var rules []string
	for _, a := range c.Applied {
		rules = append(rules, a.Rule+": "+a.Detail)
	}
	want := []string{
		"ignore: skipped 1 folders matching backup",
		`merge: merged "metal", "rock" into "heavy": 7 items`,
		`merge: merge "disco" into "dance" matched no class`,
		`drop: dropped 2 classes with fewer than 3 items (3 items): "jazz", "polka"`,
	}
	if strings.Join(rules, "\n") != strings.Join(want, "\n") {
		t.Errorf("applied:\n%s\nwant:\n%s", strings.Join(rules, "\n"), strings.Join(want, "\n"))
	}
	if _, err := Open(Spec{Root: root, Rules: Rules{Merge: []Merge{{Pattern: "(", Into: "x"}}}}); err == nil {
		t.Error("bad merge pattern accepted")
	}
	if _, err := Open(Spec{Root: root, Rules: Rules{Ignore: []string{"["}}}); err == nil {
		t.Error("bad ignore pattern accepted")
	}
	if _, err := Open(Spec{Root: root, Rules: Rules{MinCount: 100}}); err == nil || !strings.Contains(err.Error(), "no usable items") {
		t.Errorf("dropping every class: %v", err)
	}
}

func TestManifestPaths(t *testing.T) {
	w := wavBytes(8000, 1, 800)
	root := makeTree(t, files{"clips/a.wav": w, "clips/b.wav": w, "clips/b.npy": npyBytes(2, 2), "deep/x/c.flac.wav": w})
	outside := filepath.Join(t.TempDir(), "far.wav")
	if err := os.WriteFile(outside, w, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := "id,label,path\n" +
		"a,yes,\n" + // line 2: found by id
		"b,no,\n" + // line 3: b.wav and b.npy
		"z,no,\n" + // line 4: nothing named z
		"far,no," + outside + "\n" + // line 5: an absolute path
		"gone,no,/nonexistent/gone.wav\n" + // line 6
		"c,no,deep/x/c.flac.wav\n" // line 7
	if err := os.WriteFile(filepath.Join(root, "m.csv"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	c := open(t, Spec{Root: filepath.Join(root, "m.csv")})
	if c.Layout != LayoutManifest || !strings.HasPrefix(c.Why, "implied by the options") || len(c.Items) != 3 {
		t.Fatalf("layout %s (%s), %d items; problems:\n%s", c.Layout, c.Why, len(c.Items), problemList(c))
	}
	if it := itemByID(t, c, "a"); it.Path != filepath.Join(root, "clips", "a.wav") {
		t.Errorf("id a resolved to %s", it.Path)
	}
	if it := itemByID(t, c, "far"); it.Path != outside {
		t.Errorf("absolute path resolved to %s", it.Path)
	}
	wantProblem(t, c, "m.csv", 3, "ambiguous")
	wantProblem(t, c, "m.csv", 4, "no file for id z")
	wantProblem(t, c, "m.csv", 6, "/nonexistent/gone.wav not found")

	// A path template builds paths from ids, so b is no longer ambiguous.
	if err := os.WriteFile(filepath.Join(root, "t.csv"), []byte("id,label\na,yes\nb,no\nq,no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c = open(t, Spec{Root: root, Manifest: ManifestSpec{File: "t.csv", PathTemplate: "clips/{id}.wav"}})
	if len(c.Items) != 2 || itemByID(t, c, "b").Path != filepath.Join(root, "clips", "b.wav") {
		t.Errorf("template: %d items; problems:\n%s", len(c.Items), problemList(c))
	}
	wantProblem(t, c, "t.csv", 4, "clips/q.wav not found")
}

func TestDurations(t *testing.T) {
	c := &Catalog{Items: []Item{{Duration: 3 * time.Second}, {Duration: time.Second}, {}, {Duration: 2 * time.Second}}}
	if lo, med, hi := c.Durations(); lo != time.Second || med != 2*time.Second || hi != 3*time.Second {
		t.Errorf("durations %v %v %v", lo, med, hi)
	}
	c.Items = append(c.Items, Item{Duration: 4 * time.Second})
	if _, med, _ := c.Durations(); med != 2500*time.Millisecond {
		t.Errorf("median of four: %v", med)
	}
	if lo, med, hi := (&Catalog{}).Durations(); lo != 0 || med != 0 || hi != 0 {
		t.Error("durations of nothing")
	}
}
