package dataset

import (
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/internal/testshared"
)

// The real datasets in ../shared/datasets, opened with their exact counts (see its README).

func TestSharedFSDD(t *testing.T) {
	c := open(t, Spec{Root: testshared.Path(t, "datasets", "fsdd")})
	if c.Layout != LayoutFSDD || c.Task != Classify {
		t.Fatalf("layout %s task %s, want fsdd classify (why: %s)", c.Layout, c.Task, c.Why)
	}
	if len(c.Items) != 2500 || len(c.Classes) != 10 || len(c.Problems) != 0 {
		t.Fatalf("%d items, %d classes, problems:\n%s", len(c.Items), len(c.Classes), problemList(c))
	}
	for _, cl := range c.Classes {
		if cl.Count != 250 {
			t.Errorf("digit %s: %d files, want 250", cl.Name, cl.Count)
		}
	}
	if g := c.Groups(); strings.Join(g, ",") != "george,jackson,nicolas,theo,yweweler" {
		t.Errorf("speakers %v", g)
	}
	if r := c.SampleRates(); len(r) != 1 || r[8000] != 2500 {
		t.Errorf("sample rates %v, want 2500 at 8000 Hz", r)
	}
	it := itemByID(t, c, "recordings/3_theo_17.wav")
	if it.Label != "3" || it.Group != "theo" || it.Take != "17" || it.Duration <= 0 {
		t.Errorf("3_theo_17.wav read as %+v", it)
	}

	s, err := Split(c, SplitSpec{Kind: SplitFSDD})
	if err != nil {
		t.Fatal(err)
	}
	f := s.Folds[0]
	if len(f.Train) != 2250 || len(f.Val) != 0 || len(f.Test) != 250 {
		t.Errorf("fsdd split %d/%d/%d, want 2250/0/250", len(f.Train), len(f.Val), len(f.Test))
	}
	for _, i := range f.Test {
		if take := c.Items[i].Take; len(take) != 1 || take > "4" {
			t.Errorf("%s (take %s) in the test set", c.Items[i].ID, take)
		}
	}
	for _, pc := range f.PerClass {
		if pc.Test != 25 || pc.Train != 225 {
			t.Errorf("class %s: %d train, %d test; want 225, 25", pc.Class, pc.Train, pc.Test)
		}
	}

	g, err := Split(c, SplitSpec{Kind: SplitGroup, Fractions: []float64{0.6, 0.2, 0.2}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	checkGroupDisjoint(t, c, g.Folds[0])
	h, err := Split(c, SplitSpec{Kind: SplitHoldoutGroup, Groups: []string{"theo"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Folds[0].Test) != 500 {
		t.Errorf("theo held out: %d test items, want 500", len(h.Folds[0].Test))
	}
}

func TestSharedSpeechCommands(t *testing.T) {
	root := testshared.Path(t, "datasets", "speech_commands_mini")
	c := open(t, Spec{Root: root})
	if c.Layout != LayoutSpeechCommands {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	if len(c.Items) != 300 || len(c.Classes) != 30 || len(c.Noise) != 6 || len(c.Problems) != 0 {
		t.Fatalf("%d items, %d classes, %d noise files; problems:\n%s", len(c.Items), len(c.Classes), len(c.Noise), problemList(c))
	}
	subsets := map[string]int{}
	short := 0
	for _, it := range c.Items {
		subsets[it.Subset]++
		if it.Duration < time.Second {
			short++
		}
	}
	if subsets[SubsetTrain] != 205 || subsets[SubsetVal] != 44 || subsets[SubsetTest] != 51 {
		t.Errorf("subsets %v, want 205 train, 44 val, 51 test", subsets)
	}
	if short != 21 {
		t.Errorf("%d clips shorter than 1 s, want 21", short)
	}
	wantNotes := []string{
		"validation_list.txt: 6798 entries, 44 present, 6754 name absent files (ignored)",
		"testing_list.txt: 6835 entries, 51 present, 6784 name absent files (ignored)",
	}
	if strings.Join(c.Notes, "\n") != strings.Join(wantNotes, "\n") {
		t.Errorf("notes %q, want %q", c.Notes, wantNotes)
	}
	s, err := Split(c, SplitSpec{Kind: SplitLists})
	if err != nil {
		t.Fatal(err)
	}
	// The official lists hash the speaker, so the list split is speaker-disjoint.
	checkGroupDisjoint(t, c, s.Folds[0])

	k := open(t, Spec{Root: root, Layout: LayoutSpeechCommands12})
	counts := classCounts(k)
	if len(counts) != 12 || counts["unknown"] != 11 || counts["silence"] != 10 || counts["yes"] != 10 {
		t.Fatalf("12-label task classes %v (want 10 per word, unknown 6+2+3, silence 10)", counts)
	}
	if len(k.Items) != 121 {
		t.Errorf("%d items, want 121", len(k.Items))
	}
	for _, it := range k.Items {
		if it.Label == "silence" {
			start, n := it.Span()
			if n != 16000 || start < 0 || it.Parent == "" || start+n > itemByNoise(t, k, it.Parent).Frames {
				t.Errorf("silence %s: span %d+%d of %s", it.ID, start, n, it.Parent)
			}
		}
	}
	again := open(t, Spec{Root: root, Layout: LayoutSpeechCommands12})
	for i := range k.Items {
		if k.Items[i].ID != again.Items[i].ID || k.Items[i].Offset != again.Items[i].Offset {
			t.Fatalf("same seed, different task: %s vs %s", k.Items[i].ID, again.Items[i].ID)
		}
	}
}

func itemByNoise(t *testing.T, c *Catalog, id string) Item {
	t.Helper()
	for _, nz := range c.Noise {
		if nz.ID == id {
			return nz
		}
	}
	t.Fatalf("no noise file %s", id)
	return Item{}
}

func TestSharedGTZAN(t *testing.T) {
	c := open(t, Spec{Root: testshared.Path(t, "datasets", "gtzan_mini")})
	if c.Layout != LayoutFolders || !strings.Contains(c.Why, "GTZAN") {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	if len(c.Items) != 50 || len(c.Classes) != 10 || len(c.Problems) != 0 {
		t.Fatalf("%d items, %d classes; problems:\n%s", len(c.Items), len(c.Classes), problemList(c))
	}
	if r := c.SampleRates(); r[22050] != 50 {
		t.Errorf("sample rates %v", r)
	}
	seg, st, err := Segment(c, SegmentSpec{Length: 5 * time.Second, Count: 6})
	if err != nil {
		t.Fatal(err)
	}
	// The clips here are 15-20 s, so three or four of the six 5 s segments fit.
	if st.Clips != 50 || st.Kept != 150 || st.Dropped != 150 || len(seg.Items) != 150 {
		t.Errorf("segments %+v, %d items; want 50 clips, 150 kept, 150 dropped", st, len(seg.Items))
	}
	if len(c.Items) != 50 {
		t.Errorf("Segment changed its input: %d items", len(c.Items))
	}
	s, err := Split(seg, SplitSpec{Kind: SplitRandom, Fractions: []float64{0.8, 0.1, 0.1}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	part := map[string]string{}
	for name, idx := range map[string][]int{"train": s.Folds[0].Train, "val": s.Folds[0].Val, "test": s.Folds[0].Test} {
		for _, i := range idx {
			p := seg.Items[i].Parent
			if prev, ok := part[p]; ok && prev != name {
				t.Errorf("clip %s has segments in %s and %s", p, prev, name)
			}
			part[p] = name
		}
	}
	for _, pc := range s.Folds[0].PerClass {
		if pc.Train+pc.Val+pc.Test != 15 {
			t.Errorf("genre %s: %+v", pc.Class, pc)
		}
	}
}

func TestSharedLFW(t *testing.T) {
	c := open(t, Spec{Root: testshared.Path(t, "datasets", "lfw_pairs")})
	if c.Layout != LayoutPairs || c.Task != Pairs {
		t.Fatalf("layout %s task %s (%s)", c.Layout, c.Task, c.Why)
	}
	same, diff := c.SameDifferent()
	if same != 1100 || diff != 1100 || len(c.Items) != 3443 || len(c.Problems) != 0 {
		t.Fatalf("%d same, %d different, %d images; problems:\n%s", same, diff, len(c.Items), problemList(c))
	}
	p := c.Pairs[0]
	if a, b := c.Items[p.A], c.Items[p.B]; a.ID != "lfw/Aaron_Peirsol/Aaron_Peirsol_0001.jpg" ||
		b.ID != "lfw/Aaron_Peirsol/Aaron_Peirsol_0002.jpg" || !p.Same || p.Line != 1 || p.Subset != SubsetTrain {
		t.Errorf("first pair %+v: %s, %s", p, a.ID, b.ID)
	}
	if sh := c.Items[0].Shape; len(sh) != 2 || sh[0] != 250 || sh[1] != 250 {
		t.Errorf("image shape %v, want [250 250]", sh)
	}
	s, err := Split(c, SplitSpec{Kind: SplitRandom, Fractions: []float64{0.8, 0.2}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, pc := range s.Folds[0].PerClass {
		if pc.Train != 880 || pc.Val != 220 {
			t.Errorf("%s pairs: %d train, %d val; want 880, 220", pc.Class, pc.Train, pc.Val)
		}
	}
}

func TestSharedMUStARD(t *testing.T) {
	c := open(t, Spec{Root: testshared.Path(t, "datasets", "mustard_mini")})
	if c.Layout != LayoutMUStARD || c.Task != Classify {
		t.Fatalf("layout %s (%s)", c.Layout, c.Why)
	}
	if len(c.Items) != 8 || len(c.Problems) != 682 {
		t.Fatalf("%d items, %d problems, want 8 and 682", len(c.Items), len(c.Problems))
	}
	for _, p := range c.Problems {
		if !strings.HasSuffix(p.Path, "sarcasm_data.json") || p.Line == 0 || !strings.Contains(p.Err.Error(), "not found") {
			t.Fatalf("problem %v: want a missing file named by a line of sarcasm_data.json", p)
		}
	}
	// 1_90 is the third record; its key is on line 56.
	wantProblem(t, c, "sarcasm_data.json", 56, "utterances_final_wav/1_90.wav")
	it := itemByID(t, c, "1_60")
	if it.Label != "true" || it.Group != "SHELDON" || it.SampleRate != 22050 {
		t.Errorf("1_60 read as %+v", it)
	}
	counts := classCounts(c)
	if counts["true"]+counts["false"] != 8 {
		t.Errorf("classes %v", counts)
	}
}

// checkGroupDisjoint fails if any group has items in two parts of p.
func checkGroupDisjoint(t *testing.T, c *Catalog, p Partition) {
	t.Helper()
	where := map[string]string{}
	for name, idx := range map[string][]int{"train": p.Train, "val": p.Val, "test": p.Test} {
		for _, i := range idx {
			g := c.Items[i].Group
			if prev, ok := where[g]; ok && prev != name {
				t.Fatalf("group %q is in %s and %s", g, prev, name)
			}
			where[g] = name
		}
	}
}
