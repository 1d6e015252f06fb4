package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hark-audio/hark/internal/testshared"
)

// splitPairs is Split of a pair catalog with a group spec, returning its one partition.
func splitPairs(cat *Catalog, ss SplitSpec) (Partition, int, error) {
	sp, err := Split(cat, ss)
	if err != nil {
		return Partition{}, 0, err
	}
	return sp.Folds[0], len(sp.Folds[0].LeftOut), nil
}

// checkPersonSplit checks that no group is in two parts and returns each part's pair count
// and the same-person share of each part.
func checkPersonSplit(t *testing.T, cat *Catalog, part Partition) (sizes [3]int, same [3]float64) {
	t.Helper()
	where := map[string]int{}
	for k, list := range [][]int{part.Train, part.Val, part.Test} {
		for _, i := range list {
			p := cat.Pairs[i]
			for _, g := range []string{cat.Items[p.A].Group, cat.Items[p.B].Group} {
				if w, ok := where[g]; ok && w != k {
					t.Fatalf("group %s is in parts %d and %d", g, w, k)
				}
				where[g] = k
			}
			sizes[k]++
			if p.Same {
				same[k]++
			}
		}
	}
	for k := range sizes {
		if sizes[k] > 0 {
			same[k] /= float64(sizes[k])
		}
	}
	return sizes, same
}

// LFW-like pairs: people with several images paired with themselves, and different-person
// pairs between random people: small components, so every pair is kept and the shares hold.
func TestSplitPairsByGroupKeepsEveryPair(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cat := &Catalog{Task: Pairs}
	item := func(person int) int {
		cat.Items = append(cat.Items, Item{Group: fmt.Sprintf("p%04d", person)})
		return len(cat.Items) - 1
	}
	for range 1000 {
		p := rng.IntN(3000)
		cat.Pairs = append(cat.Pairs, Pair{A: item(p), B: item(p), Same: true})
		a, b := rng.IntN(3000), rng.IntN(3000)
		if a != b {
			cat.Pairs = append(cat.Pairs, Pair{A: item(a), B: item(b)})
		}
	}
	ss := SplitSpec{Kind: SplitGroup, Fractions: []float64{0.8, 0.2}, Seed: 7}
	part, dropped, err := splitPairs(cat, ss)
	if err != nil {
		t.Fatal(err)
	}
	sizes, same := checkPersonSplit(t, cat, part)
	n := float64(len(cat.Pairs))
	t.Logf("%d pairs: %v, same-person shares %.2f %.2f", len(cat.Pairs), sizes, same[0], same[1])
	if dropped != 0 || sizes[0]+sizes[1] != len(cat.Pairs) {
		t.Errorf("%d pairs dropped, %v kept of %d", dropped, sizes, len(cat.Pairs))
	}
	if v := float64(sizes[1]) / n; math.Abs(v-0.2) > 0.01 {
		t.Errorf("validation holds %.3f of the pairs, want 0.2", v)
	}
	if math.Abs(same[0]-same[1]) > 0.1 {
		t.Errorf("same-person share: train %.2f, val %.2f", same[0], same[1])
	}
	again, _, _ := splitPairs(cat, ss)
	if fmt.Sprint(again) != fmt.Sprint(part) {
		t.Error("the same seed gave another split")
	}
	ss.Seed = 8
	if other, _, _ := splitPairs(cat, ss); fmt.Sprint(other) == fmt.Sprint(part) {
		t.Error("another seed gave the same split")
	}
}

// Speaker-like pairs: a few groups all paired with each other form one component too large to
// place whole; it is split by group, cross pairs are dropped and counted, no group straddles.
func TestSplitPairsByGroupBreaksAGiantComponent(t *testing.T) {
	cat := &Catalog{Task: Pairs}
	for a := range 10 {
		for b := a; b < 10; b++ {
			for range 3 {
				cat.Items = append(cat.Items, Item{Group: fmt.Sprint("s", a)}, Item{Group: fmt.Sprint("s", b)})
				cat.Pairs = append(cat.Pairs, Pair{A: len(cat.Items) - 2, B: len(cat.Items) - 1, Same: a == b})
			}
		}
	}
	part, dropped, err := splitPairs(cat, SplitSpec{Kind: SplitGroup, Fractions: []float64{0.8, 0.2}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	sizes, _ := checkPersonSplit(t, cat, part)
	if dropped == 0 || sizes[0] == 0 || sizes[1] == 0 || sizes[0]+sizes[1]+dropped != len(cat.Pairs) {
		t.Errorf("sizes %v, %d dropped of %d", sizes, dropped, len(cat.Pairs))
	}
	cat.Items[0].Group = ""
	if _, _, err := splitPairs(cat, SplitSpec{Kind: SplitGroup, Fractions: []float64{0.8, 0.2}}); err == nil {
		t.Error("a pair without groups was split")
	}
}

// The real DevTrain list: 80/20 by person keeps all 2,200 pairs.
func TestSplitLFWDevTrainByPerson(t *testing.T) {
	root := testshared.Path(t, "datasets", "lfw_pairs")
	cat, err := Open(Spec{Root: root, Layout: LayoutPairs, SkipProbe: true})
	if err != nil {
		t.Fatal(err)
	}
	part, dropped, err := splitPairs(cat, SplitSpec{Kind: SplitGroup, Fractions: []float64{0.8, 0.2}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	sizes, same := checkPersonSplit(t, cat, part)
	t.Logf("%d pairs: train %d (%.2f same), val %d (%.2f same), %d dropped", len(cat.Pairs), sizes[0], same[0], sizes[1], same[1], dropped)
	if dropped != 0 || math.Abs(float64(sizes[1])/float64(len(cat.Pairs))-0.2) > 0.01 || math.Abs(same[0]-same[1]) > 0.1 {
		t.Errorf("train %d, val %d, dropped %d; same-person shares %.2f and %.2f", sizes[0], sizes[1], dropped, same[0], same[1])
	}
}
