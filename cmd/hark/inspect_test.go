package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hark-audio/hark/internal/testshared"
	"github.com/hark-audio/hark/views/tuitest"
)

// pcm16 is a mono 16-bit WAV file of n frames at rate.
func pcm16(rate, n int) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))
	le(uint16(1))
	le(uint32(rate))
	le(uint32(2 * rate))
	le(uint16(2))
	le(uint16(16))
	b.WriteString("data")
	le(uint32(2 * n))
	b.Write(make([]byte, 2*n))
	return b.Bytes()
}

// inspectTree writes a small class-folder dataset with one unreadable clip.
func inspectTree(t *testing.T) string {
	root := t.TempDir()
	for rel, data := range map[string][]byte{
		"dog/a.wav": pcm16(8000, 8000), "dog/b.wav": pcm16(8000, 4000), "dog/c.wav": pcm16(16000, 32000),
		"cat/a.wav": pcm16(8000, 8000), "cat/broken.wav": []byte("not audio"),
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func inspect(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runInspect(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestInspectJSON(t *testing.T) {
	root := inspectTree(t)
	code, out, errs := inspect(root, "--json") // flags after DIR
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	for _, key := range []string{"path", "layout", "why", "task", "classes", "items", "groups", "targets", "pairs",
		"durations", "sample_rates", "problems"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("no %q in %s", key, out)
		}
	}
	var r struct {
		Path, Layout, Why, Task string
		Classes                 []struct {
			Name  string
			Count int
		}
		Items, Groups int
		Targets       []string
		Pairs         struct{ Same, Different int }
		Durations     struct{ Min, Median, Max float64 }
		SampleRates   map[string]int `json:"sample_rates"`
		Problems      []struct{ Path, Error string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Path != root || r.Layout != "folders" || r.Task != "classify" || r.Items != 4 || r.Groups != 0 ||
		r.Targets == nil || len(r.Targets) != 0 || r.Pairs.Same != 0 {
		t.Errorf("report %+v", r)
	}
	if len(r.Classes) != 2 || r.Classes[0].Name != "cat" || r.Classes[0].Count != 1 || r.Classes[1].Count != 3 {
		t.Errorf("classes %+v", r.Classes)
	}
	if r.Durations.Min != 0.5 || r.Durations.Median != 1 || r.Durations.Max != 2 {
		t.Errorf("durations %+v, want 0.5, 1, 2", r.Durations)
	}
	if len(r.SampleRates) != 2 || r.SampleRates["8000"] != 3 || r.SampleRates["16000"] != 1 {
		t.Errorf("sample rates %v", r.SampleRates)
	}
	if len(r.Problems) != 1 || !strings.HasSuffix(r.Problems[0].Path, "broken.wav") || !strings.Contains(r.Problems[0].Error, "unreadable audio") {
		t.Errorf("problems %+v", r.Problems)
	}
}

func TestInspectText(t *testing.T) {
	root := inspectTree(t)
	t.Setenv("NO_COLOR", "1")
	code, out, errs := inspect("--split", "random:0.5,0.5", "--seed", "3", root)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		"Layout        folders\n",
		"Why           2 class folders holding audio files under the top folder\n",
		"Task          classify: 4 items, 2 classes\n",
		"Durations     min 0.500 s, median 1.000 s, max 2.000 s\n",
		"Sample rates  8000 Hz: 3, 16000 Hz: 1\n",
		"  cat ##########                     1\n",
		"  dog ############################## 3\n",
		"Split random:0.5,0.5 (seed 3)\n",
		"Problems (1)\n",
		"broken.wav: unreadable audio",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

func TestInspectErrors(t *testing.T) {
	root := inspectTree(t)
	missing := filepath.Join(root, "nope")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "want one DIR"},
		{[]string{root, root}, exitUsage, "want one DIR, got 2"},
		{[]string{"--bogus", root}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"--layout"}, exitUsage, "flag needs an argument"},
		{[]string{missing}, exitUser, missing},
		{[]string{root, "--layout", "pairs"}, exitUser, "layout pairs does not fit"},
		{[]string{root, "--layout", "cassette"}, exitUser, `unknown layout "cassette"`},
		{[]string{root, "--split", "random:0.9,0.9"}, exitUser, "--split"},
		{[]string{root, "--split", "fold:2"}, exitUser, "no fold"},
		{[]string{root, "--segment", "6xlong"}, exitUser, "--segment"},
		{[]string{root, "--merge", "nothing"}, exitUser, "PATTERN=INTO"},
	} {
		code, out, errs := inspect(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("inspect %q: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, errs, tc.code, tc.want)
		}
		if tc.code == exitUser && strings.Count(errs, "\n") != 1 {
			t.Errorf("inspect %q: want one line on stderr, got %q", tc.args, errs)
		}
	}
	for _, h := range []string{"-h", "--help"} {
		code, out, errs := inspect(h)
		if code != exitOK || !strings.HasPrefix(out, "Usage: hark inspect DIR") || !strings.Contains(out, "-layout") || errs != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", h, code, out, errs)
		}
	}
}

// TestInspectShared opens each real dataset and checks the counts the command reports.
func TestInspectShared(t *testing.T) {
	type report struct {
		Layout  string
		Items   int
		Groups  int
		Classes []struct {
			Name  string
			Count int
		}
		Pairs       struct{ Same, Different int }
		SampleRates map[string]int `json:"sample_rates"`
		Problems    []struct{ Path, Error string }
	}
	for _, tc := range []struct {
		dir                     string
		layout                  string
		items, classes, groups  int
		same, different, probls int
		rate                    string
	}{
		{"fsdd", "fsdd", 2500, 10, 5, 0, 0, 0, "8000"},
		{"speech_commands_mini", "speech-commands", 300, 30, 41, 0, 0, 0, "16000"},
		{"gtzan_mini", "folders", 50, 10, 0, 0, 0, 0, "22050"},
		{"lfw_pairs", "pairs", 3443, 2132, 2132, 1100, 1100, 0, ""},
		{"mustard_mini", "mustard", 8, 2, 5, 0, 0, 682, "22050"},
	} {
		dir := testshared.Path(t, "datasets", tc.dir)
		code, out, errs := inspect("--json", dir)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", tc.dir, code, errs)
		}
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Layout != tc.layout || r.Items != tc.items || len(r.Classes) != tc.classes || r.Groups != tc.groups ||
			r.Pairs.Same != tc.same || r.Pairs.Different != tc.different || len(r.Problems) != tc.probls {
			t.Errorf("%s: layout %s, %d items, %d classes, %d groups, pairs %+v, %d problems", tc.dir, r.Layout, r.Items,
				len(r.Classes), r.Groups, r.Pairs, len(r.Problems))
		}
		if tc.rate != "" && r.SampleRates[tc.rate] != tc.items {
			t.Errorf("%s: sample rates %v", tc.dir, r.SampleRates)
		}
	}
	// The 12-label task with the official lists, as the keyword-spotting system used it.
	code, out, errs := inspect(testshared.Path(t, "datasets", "speech_commands_mini"), "--layout", "speech-commands-12", "--split", "lists")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"classify: 121 items, 12 classes", "  unknown", "  silence"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	// Per subset: 58, 19 and 23 target clips, unknown ceil(10%) of each, silence 10 shared.
	if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool { return strings.Join(strings.Fields(l), " ") == "total 70 23 28" }) {
		t.Errorf("no split total 70 23 28 in:\n%s", out)
	}
	if !slices.Contains(strings.Split(out, "\n"), "Problems (0)") {
		t.Errorf("problems reported:\n%s", out)
	}
}

// A group split of a pair list splits the people and says how many pairs it left out, in the
// JSON and in the text.
func TestInspectPairGroupSplit(t *testing.T) {
	dir := tuitest.LFWDir(t)
	code, out, errs := inspect(dir, "--split", "group:0.8,0.2", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r inspectJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Split == nil || len(r.Split.Folds) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	if f := r.Split.Folds[0]; f.Train != 3 || f.Val != 1 || f.LeftOut != 2 {
		t.Errorf("split %+v, want 3 train, 1 val and 2 pairs left out", f)
	}
	t.Setenv("NO_COLOR", "1")
	if _, out, _ := inspect(dir, "--split", "group:0.8,0.2"); !strings.Contains(out, "2 pairs left out") {
		t.Errorf("text:\n%s", out)
	}
}
