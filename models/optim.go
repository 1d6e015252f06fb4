package models

import (
	"fmt"
	"math"
)

// Optimizer kinds.
const (
	OptAdam    = "adam"
	OptSGD     = "sgd"
	OptRMSProp = "rmsprop"
)

// Optimizer configures the update rule. Zero values mean the documented defaults (Keras's).
type Optimizer struct {
	// Kind is adam (default), sgd or rmsprop.
	Kind string `json:"kind,omitempty"`
	// Beta1 and Beta2 are Adam's moment decays (default 0.9 and 0.999).
	Beta1 float32 `json:"beta1,omitempty"`
	Beta2 float32 `json:"beta2,omitempty"`
	// Epsilon is added to the denominators of Adam and RMSProp (default 1e-7).
	Epsilon float32 `json:"epsilon,omitempty"`
	// Momentum is SGD's momentum (default 0: plain SGD).
	Momentum float32 `json:"momentum,omitempty"`
	// Rho is RMSProp's squared-gradient decay (default 0.9).
	Rho float32 `json:"rho,omitempty"`
	// WeightDecay adds WeightDecay*w to the gradient of every kernel (dense and convolution
	// weights, not biases or batch-norm parameters): coupled L2, as PyTorch's weight_decay.
	// Keras's kernel_regularizer l2(λ) is WeightDecay = 2λ.
	WeightDecay float32 `json:"weight_decay,omitempty"`
	// ClipNorm, when positive, scales all gradients together so that their global L2 norm is
	// at most ClipNorm.
	ClipNorm float32 `json:"clip_norm,omitempty"`
	// ClipValue, when positive, clamps each gradient value to [-ClipValue, ClipValue]
	// (applied after ClipNorm).
	ClipValue float32 `json:"clip_value,omitempty"`
}

type optimizer struct {
	cfg  Optimizer
	t    int         // updates so far, for Adam's bias correction
	m, v [][]float32 // per-parameter moment buffers, allocated on the first update
}

func newOptimizer(c Optimizer) (*optimizer, error) {
	if c.Kind == "" {
		c.Kind = OptAdam
	}
	switch c.Kind {
	case OptAdam, OptSGD, OptRMSProp:
	default:
		return nil, fmt.Errorf("optimizer %q: want adam, sgd or rmsprop", c.Kind)
	}
	def := func(v *float32, d float32) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Beta1, 0.9)
	def(&c.Beta2, 0.999)
	def(&c.Epsilon, 1e-7)
	def(&c.Rho, 0.9)
	for _, v := range []float32{c.Beta1, c.Beta2, c.Rho, c.Momentum} {
		if v < 0 || v >= 1 {
			return nil, fmt.Errorf("optimizer: decays and momentum must be in [0, 1), got %v", v)
		}
	}
	if c.Epsilon < 0 || c.WeightDecay < 0 || c.ClipNorm < 0 || c.ClipValue < 0 {
		return nil, fmt.Errorf("optimizer: epsilon, weight decay and clipping must not be negative")
	}
	return &optimizer{cfg: c}, nil
}

// alloc makes the moment buffers of parameters ps if they do not exist yet.
func (o *optimizer) alloc(ps []*param) {
	if o.m != nil {
		return
	}
	o.m = make([][]float32, len(ps))
	o.v = make([][]float32, len(ps))
	for i, q := range ps {
		o.m[i] = make([]float32, len(q.data))
		if o.cfg.Kind == OptAdam {
			o.v[i] = make([]float32, len(q.data))
		}
	}
}

// update applies one step to every trained parameter from its gradient (frozen ones keep
// their values and moments). Each parameter is updated by one goroutine in index order, so
// the result does not depend on the thread count.
func (o *optimizer) update(ps []*param, lr float32, p *pool) {
	c := o.cfg
	o.alloc(ps)
	o.t++
	scale := float32(1)
	if c.ClipNorm > 0 {
		var ss float64
		for _, q := range ps {
			g := q.grad
			for j, v := range g {
				if q.decay {
					v += c.WeightDecay * q.data[j]
				}
				ss += float64(v) * float64(v)
			}
		}
		if n := math.Sqrt(ss); n > float64(c.ClipNorm) {
			scale = float32(float64(c.ClipNorm) / n)
		}
	}
	bc1 := 1 - math.Pow(float64(c.Beta1), float64(o.t))
	bc2 := 1 - math.Pow(float64(c.Beta2), float64(o.t))
	// Adam's bias corrections folded into the step size and epsilon: exactly PyTorch's update.
	adamLR := float32(float64(lr) * math.Sqrt(bc2) / bc1)
	adamEps := float32(float64(c.Epsilon) * math.Sqrt(bc2))
	p.each(len(ps), func(_, i int) {
		q := ps[i]
		if q.frozen || q.grad == nil {
			return
		}
		w, m, v := q.data, o.m[i], o.v[i]
		for j, g := range q.grad {
			if q.decay {
				g += c.WeightDecay * w[j]
			}
			g *= scale
			if c.ClipValue > 0 {
				g = min(max(g, -c.ClipValue), c.ClipValue)
			}
			switch c.Kind {
			case OptAdam:
				m[j] = c.Beta1*m[j] + (1-c.Beta1)*g
				v[j] = c.Beta2*v[j] + (1-c.Beta2)*g*g
				w[j] -= adamLR * m[j] / (float32(math.Sqrt(float64(v[j]))) + adamEps)
			case OptRMSProp:
				m[j] = c.Rho*m[j] + (1-c.Rho)*g*g
				w[j] -= lr * g / (float32(math.Sqrt(float64(m[j]))) + c.Epsilon)
			default:
				if c.Momentum > 0 {
					m[j] = c.Momentum*m[j] + g
					g = m[j]
				}
				w[j] -= lr * g
			}
		}
	})
}
