package sessions_test

import (
	"fmt"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
)

func ExampleParseGrid() {
	cells, err := sessions.ParseGrid("batch=32,64 weight_decay=1e-4,1e-5")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cells {
		spec := train.RunSpec{Version: train.SpecVersion}
		if err := sessions.Apply(&spec, c); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-26s batch %d, weight decay %g\n", c, spec.Train.Batch, spec.Train.Optimizer.WeightDecay)
	}
	_, err = sessions.ParseGrid("batch=32 dropout=0.1")
	fmt.Println(err != nil)
	// Output:
	// batch=32 weight_decay=1e-4 batch 32, weight decay 0.0001
	// batch=32 weight_decay=1e-5 batch 32, weight decay 1e-05
	// batch=64 weight_decay=1e-4 batch 64, weight decay 0.0001
	// batch=64 weight_decay=1e-5 batch 64, weight decay 1e-05
	// true
}
