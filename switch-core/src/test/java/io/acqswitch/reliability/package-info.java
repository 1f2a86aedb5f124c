/** The reliability suite: fuzzing of the terminal wire, chaos runs against the issuer, resource limits. */
package io.acqswitch.reliability;
