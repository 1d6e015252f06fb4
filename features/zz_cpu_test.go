package features

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /*RUSAGE_THREAD*/, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuTime(n int, f func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f()
	best := time.Hour
	for r := 0; r < 5; r++ {
		t0 := threadCPU()
		for i := 0; i < n; i++ {
			f()
		}
		d := (threadCPU() - t0) / time.Duration(n)
		best = min(best, d)
	}
	return best
}

func TestZZCPU(t *testing.T) {
	if os.Getenv("ZZCPU") == "" {
		t.Skip()
	}
	y := benchClip(22050, 30)
	st, _ := NewSTFT(STFTConfig{NFFT: 2048, Hop: 512})
	spec := st.Power(nil, y, 2)
	f, _ := NewRealFFT(2048)
	x := make([]float64, 2048)
	dstc := f.Forward(nil, x)
	fmt.Println("fft2048", cpuTime(2000, func() { f.Forward(dstc, x) }))
	fmt.Println("stft", cpuTime(10, func() { st.Power(spec, y, 2) }))
	bank, _ := NewMelBank(MelConfig{SampleRate: 22050, NFFT: 2048, NMels: 128})
	mel := bank.Apply(nil, spec)
	fmt.Println("mel", cpuTime(20, func() { bank.Apply(mel, spec) }))
	db := PowerToDB(nil, mel, DBOptions{})
	fmt.Println("db", cpuTime(20, func() { PowerToDB(db, mel, DBOptions{}) }))
	plan := newDCTPlan(128, 20)
	mf := plan.apply(nil, db)
	fmt.Println("mfcc", cpuTime(20, func() { plan.apply(mf, db) }))
	cb, _ := NewChromaBank(ChromaConfig{SampleRate: 22050, NFFT: 2048})
	ch := cb.Apply(nil, spec)
	fmt.Println("chroma", cpuTime(20, func() { cb.Apply(ch, spec) }))
	a, _ := NewAnalyzer(AnalyzerConfig{SampleRate: 22050})
	fs := a.Analyze(nil, y, FeatMel|FeatMFCC|FeatChroma|FeatBeats)
	fmt.Println("analyzer-spectral", cpuTime(5, func() { a.Analyze(fs, y, FeatMel|FeatMFCC|FeatChroma) }))
	fmt.Println("analyzer-all", cpuTime(5, func() { a.Analyze(fs, y, FeatMel|FeatMFCC|FeatChroma|FeatBeats) }))
	env := OnsetStrength(nil, db, OnsetOptions{NFFT: 2048, Hop: 512, Aggregate: AggMedian})
	fmt.Println("onset-median", cpuTime(10, func() { OnsetStrength(env, db, OnsetOptions{NFFT: 2048, Hop: 512, Aggregate: AggMedian}) }))
	fmt.Println("beattrack", cpuTime(5, func() { BeatTrack(env, 22050, 512, BeatOptions{}) }))
}
