/** Values describing stored artifacts (content-addressed bytes). */
package dev.mlops.artifact;
