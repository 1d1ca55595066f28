//go:build tools

// Package tools pins the commands this module builds, so that go.sum holds
// everything `go build k8s.io/kubernetes/cmd/kube-apiserver` and
// `.../cmd/kubectl` need.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
