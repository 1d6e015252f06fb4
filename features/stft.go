package features

import (
	"fmt"
	"math"
)

// STFTConfig describes a short-time Fourier transform the way librosa.stft is called. The zero
// value of NoCenter is librosa's center=True with zero padding (pad_mode='constant').
type STFTConfig struct {
	// NFFT is the FFT length (n_fft). Any length >= 1 works, including odd lengths and
	// lengths with large prime factors.
	NFFT int
	// Hop is the number of samples between frames (hop_length); it must be > 0.
	Hop int
	// Win is the window length (win_length); 0 means NFFT. A shorter periodic Hann window is
	// zero-padded on both sides to NFFT, centred as librosa.util.pad_center does.
	Win int
	// NoCenter disables the centring: frame t then starts at sample t*Hop instead of
	// t*Hop - NFFT/2 with NFFT/2 zeros padded at both ends.
	NoCenter bool
}

// STFT is a plan for the power or magnitude spectrogram of one STFTConfig: the window, the FFT
// plan and the scratch buffers. Create it once per configuration and reuse it for every clip.
// It is not safe for concurrent use; give each goroutine its own plan.
type STFT struct {
	cfg   STFTConfig
	win   []float64 // periodic Hann of length Win, centred in NFFT zeros
	lpad  int       // offset of the window inside the NFFT-long frame
	fft   *RealFFT
	frame []float64    // NFFT windowed samples (odd NFFT only)
	spec  []complex128 // NFFT/2+1 coefficients of one frame
	block []float32    // stftBlock frames of one spectrum each, frame-major
}

// stftBlock frames are computed before being scattered into the bins x frames output, so that
// each output row receives one contiguous run per block instead of one element per frame.
const stftBlock = 64

// NewSTFT validates cfg and returns a plan for it.
func NewSTFT(cfg STFTConfig) (*STFT, error) {
	if cfg.Win == 0 {
		cfg.Win = cfg.NFFT
	}
	switch {
	case cfg.NFFT <= 0:
		return nil, fmt.Errorf("features: STFT n_fft %d: must be positive", cfg.NFFT)
	case cfg.Win < 0 || cfg.Win > cfg.NFFT:
		return nil, fmt.Errorf("features: STFT win_length %d: must be in 1..n_fft (%d)", cfg.Win, cfg.NFFT)
	case cfg.Hop <= 0:
		return nil, fmt.Errorf("features: STFT hop_length %d: must be positive", cfg.Hop)
	}
	fft, err := NewRealFFT(cfg.NFFT)
	if err != nil {
		return nil, err
	}
	nb := cfg.NFFT/2 + 1
	p := &STFT{
		cfg:   cfg,
		win:   make([]float64, cfg.NFFT),
		lpad:  (cfg.NFFT - cfg.Win) / 2,
		fft:   fft,
		spec:  make([]complex128, nb),
		block: make([]float32, stftBlock*nb),
	}
	copy(p.win[p.lpad:], HannWindow(cfg.Win, true))
	if cfg.NFFT%2 == 1 {
		p.frame = make([]float64, cfg.NFFT)
	}
	return p, nil
}

// Config returns the plan's configuration, with Win filled in.
func (p *STFT) Config() STFTConfig { return p.cfg }

// Bins returns the number of frequency bins, NFFT/2+1.
func (p *STFT) Bins() int { return p.cfg.NFFT/2 + 1 }

// Frames returns the number of frames librosa produces for n samples: 1 + n/Hop when centred
// with an even NFFT (in general 1 + (n + 2*(NFFT/2) - NFFT)/Hop), 1 + (n - NFFT)/Hop when not
// centred, and 0 when the (padded) signal is shorter than one frame, where librosa raises.
func (p *STFT) Frames(n int) int {
	if !p.cfg.NoCenter {
		n += 2 * (p.cfg.NFFT / 2)
	}
	if n < p.cfg.NFFT {
		return 0
	}
	return 1 + (n-p.cfg.NFFT)/p.cfg.Hop
}

// Power computes |STFT(y)|^power as a Bins() x Frames(len(y)) matrix, librosa's
// numpy.abs(librosa.stft(y, ...))**power: power 1 is the magnitude, 2 the power spectrogram.
// The FFT is unnormalised and computed in float64, like numpy's, before rounding to float32.
// dst is reused when its storage is large enough (nil allocates) and returned.
func (p *STFT) Power(dst *Matrix, y []float32, power float64) *Matrix {
	offset := 0
	if !p.cfg.NoCenter {
		offset = -(p.cfg.NFFT / 2)
	}
	return p.power(dst, y, power, offset, p.Frames(len(y)))
}

// power computes nFrames frames, frame t covering y[t*Hop + offset:][:NFFT] (zero outside y)
// with the window centred in it.
func (p *STFT) power(dst *Matrix, y []float32, power float64, offset, nFrames int) *Matrix {
	nb := p.Bins()
	dst = reuseMatrix(dst, nb, nFrames)
	for t0 := 0; t0 < nFrames; t0 += stftBlock {
		n := min(stftBlock, nFrames-t0)
		for j := 0; j < n; j++ {
			p.frameSpectrum(p.block[j*nb:(j+1)*nb], y, (t0+j)*p.cfg.Hop+offset, power)
		}
		// Scatter the block: row k gets n consecutive frames.
		for k := 0; k < nb; k++ {
			row := dst.Data[k*nFrames+t0 : k*nFrames+t0+n]
			for j := range row {
				row[j] = p.block[j*nb+k]
			}
		}
	}
	return dst
}

// frameSpectrum writes |X|^power of the frame y[start:][:NFFT] into out. For an even NFFT the
// windowed samples go straight into the half-length complex buffer of the real FFT.
func (p *STFT) frameSpectrum(out []float32, y []float32, start int, power float64) {
	w := p.win
	inside := start >= 0 && start+len(w) <= len(y)
	var spec []complex128
	if f := p.fft; f.half != nil {
		buf := f.buf
		if inside {
			ys := y[start : start+len(w)]
			for j := range buf {
				buf[j] = complex(w[2*j]*float64(ys[2*j]), w[2*j+1]*float64(ys[2*j+1]))
			}
		} else {
			for j := range buf {
				buf[j] = complex(w[2*j]*sample(y, start+2*j), w[2*j+1]*sample(y, start+2*j+1))
			}
		}
		f.unpack(p.spec, f.half.transform(buf))
		spec = p.spec
	} else {
		for i, wi := range w {
			p.frame[i] = wi * sample(y, start+i)
		}
		spec = f.Forward(p.spec, p.frame)
	}
	out = out[:len(spec)]
	switch power {
	case 2:
		for k, c := range spec {
			out[k] = float32(real(c)*real(c) + imag(c)*imag(c))
		}
	case 1:
		for k, c := range spec {
			out[k] = float32(math.Sqrt(real(c)*real(c) + imag(c)*imag(c)))
		}
	default:
		half := power / 2
		for k, c := range spec {
			out[k] = float32(math.Pow(real(c)*real(c)+imag(c)*imag(c), half))
		}
	}
}

// sample returns y[i], or 0 outside y (the zero padding).
func sample(y []float32, i int) float64 {
	if i < 0 || i >= len(y) {
		return 0
	}
	return float64(y[i])
}
