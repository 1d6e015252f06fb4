// Package vecf holds vectorised float32 kernels for the model layers: the logistic and tanh
// activations of recurrent gates and the running maxima of max pooling, in assembly where the
// CPU has AVX2 and in portable Go elsewhere (build tag purego selects Go everywhere).
package vecf
