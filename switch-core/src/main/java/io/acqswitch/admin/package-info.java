/**
 * The HTTP endpoint on the admin port (Netty): Prometheus metrics, health, the operations API, route
 * reloads and the demo stubs, with a header timeout, a cap on concurrent requests and the bearer
 * token on every state-changing request.
 */
package io.acqswitch.admin;
