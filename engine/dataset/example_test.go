package dataset_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/hark-audio/hark/engine/dataset"
)

// tiny is a catalog built in memory: two speakers saying two digits twice.
func tiny() *dataset.Catalog {
	c := &dataset.Catalog{Task: dataset.Classify}
	for _, name := range []string{"0_ann_0", "0_ann_1", "0_bob_0", "0_bob_1", "1_ann_0", "1_ann_1", "1_bob_0", "1_bob_1"} {
		c.Items = append(c.Items, dataset.Item{ID: name + ".wav", Label: name[:1], Group: name[2:5], Take: name[6:],
			SampleRate: 8000, Frames: 8000 * 12, Duration: 12 * time.Second})
	}
	return c
}

func ExampleParseSplitSpec() {
	spec, err := dataset.ParseSplitSpec("random:80,10,10")
	fmt.Println(spec, err)
	spec, err = dataset.ParseSplitSpec("random:0.8,0.3")
	fmt.Println(err)
	// Output:
	// random:0.8,0.1,0.1 <nil>
	// split "random:0.8,0.3": fractions sum to 1.1, not 1
}

func ExampleSplit() {
	c := tiny()
	s, err := dataset.Split(c, dataset.SplitSpec{Kind: dataset.SplitHoldoutGroup, Groups: []string{"bob"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	var test []string
	for _, i := range s.Folds[0].Test {
		test = append(test, c.Items[i].ID)
	}
	fmt.Println(strings.Join(test, " "))
	for _, pc := range s.Folds[0].PerClass {
		fmt.Printf("class %s: %d train, %d test\n", pc.Class, pc.Train, pc.Test)
	}
	// Output:
	// 0_bob_0.wav 0_bob_1.wav 1_bob_0.wav 1_bob_1.wav
	// class 0: 2 train, 2 test
	// class 1: 2 train, 2 test
}

func ExampleSegment() {
	c := tiny()
	seg, st, err := dataset.Segment(c, dataset.SegmentSpec{Length: 5 * time.Second, Count: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d clips: %d segments kept, %d dropped\n", st.Clips, st.Kept, st.Dropped)
	it := seg.Items[1]
	start, n := it.Span()
	fmt.Println(it.ID, "of", it.Parent, "frames", start, "+", n)
	// Output:
	// 8 clips: 16 segments kept, 8 dropped
	// 0_ann_0.wav#1 of 0_ann_0.wav frames 40000 + 40000
}

func ExampleGeneratePairs() {
	c := tiny()
	pairs, err := dataset.GeneratePairs(c, dataset.PairSpec{By: "group", N: 6, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	same := 0
	for _, p := range pairs {
		if p.Same {
			same++
		}
	}
	fmt.Printf("%d pairs, %d same speaker, %d different\n", len(pairs), same, len(pairs)-same)
	// Output:
	// 6 pairs, 3 same speaker, 3 different
}
