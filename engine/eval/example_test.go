package eval_test

import (
	"fmt"

	"github.com/hark-audio/hark/engine/eval"
)

func ExampleNewReport() {
	yTrue := []string{"blues", "jazz", "jazz", "rock", "rock", "rock"}
	yPred := []string{"blues", "jazz", "rock", "rock", "rock", "jazz"}
	r, err := eval.NewReport(yTrue, yPred, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(r)
	fmt.Printf("macro F1 %.4f, kappa %.4f\n", r.Macro.F1, r.Kappa)
	// Output:
	//               precision    recall  f1-score   support
	//
	//        blues       1.00      1.00      1.00         1
	//         jazz       0.50      0.50      0.50         2
	//         rock       0.67      0.67      0.67         3
	//
	//     accuracy                           0.67         6
	//    macro avg       0.72      0.72      0.72         6
	// weighted avg       0.67      0.67      0.67         6
	// macro F1 0.7222, kappa 0.4545
}

func ExampleROC_AUC() {
	// Same-speaker scores of six pairs; a positive and a negative tie at 0.4.
	r, err := eval.NewROC([]eval.Scored{
		{ID: "p1", Positive: true, Score: 0.9},
		{ID: "p2", Positive: true, Score: 0.8},
		{ID: "p3", Positive: true, Score: 0.4},
		{ID: "n1", Positive: false, Score: 0.7},
		{ID: "n2", Positive: false, Score: 0.4},
		{ID: "n3", Positive: false, Score: 0.2},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("AUC %.4f\n", r.AUC())
	eer, op := r.EER()
	fmt.Printf("EER %.4f at threshold %.2f (FAR %.4f, FRR %.4f)\n", eer, op.Threshold, op.FAR, op.FRR)
	at := r.At(0.5)
	fmt.Printf("at 0.50: accuracy %.4f, FAR %.4f, FRR %.4f\n", at.Accuracy, at.FAR, at.FRR)
	// Output:
	// AUC 0.8333
	// EER 0.3333 at threshold 0.70 (FAR 0.3333, FRR 0.3333)
	// at 0.50: accuracy 0.6667, FAR 0.3333, FRR 0.3333
}
