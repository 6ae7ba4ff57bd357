// Package cputime reads the CPU time this process has used, for the
// benchmarks: the machine they run on is shared, so wall-clock rates swing
// with the load of others while the CPU spent per operation does not.
package cputime
