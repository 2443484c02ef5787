/** The entry point {@link dev.mlops.Mlops}, the exception hierarchy and the paging types shared by every API. */
package dev.mlops;
