/**
 * Building blocks of the {@code prodgate demo}: an instrumented {@link io.prodgate.cli.demo.SampleService}
 * (stable/canary), a bounded {@link io.prodgate.cli.demo.LoadGenerator}, and
 * {@link io.prodgate.cli.demo.LocalPrometheus}, a real Prometheus child process that integration tests
 * reuse, all three owned together by {@link io.prodgate.cli.demo.DemoEnvironment}. Everything binds or targets
 * loopback only ({@link io.prodgate.cli.demo.Loopback}).
 */
package io.prodgate.cli.demo;
