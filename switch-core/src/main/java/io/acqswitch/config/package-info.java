/** Typed configuration: YAML read once at start-up, every setting defaulted, every value validated. */
package io.acqswitch.config;
