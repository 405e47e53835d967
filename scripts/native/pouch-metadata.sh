#!/bin/bash
# Prints the reflection configuration (reflect-config.json) of the project's classes on the class path $1: every
# class of an io.pouch package with all its constructors, methods, fields and record components. picocli builds
# the command models from annotated fields and methods and instantiates commands, mixins and converters;
# Jackson reads and creates the records of pouch-api and pouch-client (JSON bodies) through their accessors and
# canonical constructors. Registering whole classes keeps this correct as commands and records change.
set -euo pipefail
{
  for e in ${1//:/ }; do
    if [ -d "$e" ]; then (cd "$e" && find io/pouch -name '*.class' 2>/dev/null); 
    elif [ -f "$e" ]; then unzip -Z1 "$e" 'io/pouch/*.class' 2>/dev/null || true; fi
  done
  # picocli's own commands and mixins it reads the same way (the standard --help/--version options)
  echo 'picocli/CommandLine$AutoHelpMixin.class'
  echo 'picocli/CommandLine$HelpCommand.class'
  # the channel classes pouch-client gives Netty's Bootstrap.channel(Class): Netty creates them by reflection
  echo 'io/netty/channel/socket/nio/NioDomainSocketChannel.class'
  echo 'io/netty/channel/socket/nio/NioSocketChannel.class'
} | grep -v 'module-info\|package-info' | sed 's/\.class$//; s#/#.#g' | sort -u | {
  echo '['
  sep=''
  while read -r c; do
    printf '%s{"name":"%s","allDeclaredConstructors":true,"allPublicConstructors":true,"allDeclaredMethods":true,"allPublicMethods":true,"allDeclaredFields":true,"allPublicFields":true}\n' "$sep" "$c"
    sep=','
  done
  echo ']'
}
