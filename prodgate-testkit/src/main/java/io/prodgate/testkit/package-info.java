/**
 * What the demo and the tests of several modules share, kept out of the product jar: an instrumented
 * {@link io.prodgate.testkit.SampleService} (stable, canary, staging), a bounded
 * {@link io.prodgate.testkit.LoadGenerator} and the {@link io.prodgate.testkit.TrafficSplitter} whose admin endpoint
 * shifts its split as a load balancer's would, {@link io.prodgate.testkit.LocalPrometheus}, a real Prometheus child
 * process, and {@link io.prodgate.testkit.WellFormedXml} for reports. Everything binds or targets loopback only
 * ({@link io.prodgate.testkit.Loopback}).
 */
package io.prodgate.testkit;
