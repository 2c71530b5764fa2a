# Runs real zsh completion (compinit, ZLE, _describe, _files) in a pseudo-terminal and prints
# what it offers. Usage: zsh -f zsh-capture.zsh <fpath-dir> <scratch-file> <line>...
# For each line, prints the matches one per line, then `<<end>>` (`<<timeout>>` first if the
# completion never finished).
#
# Inside the inner shell, compadd is wrapped: calls that only fill arrays (-O, -A, -D, as
# _describe makes) pass through; the others also record the matches that survive the typed
# prefix, which is what the user would be offered. A comppostfuncs hook marks the end.
zmodload zsh/zpty || exit 3
dir=$1 out=$2
shift 2
zpty inner zsh -f -i
zpty -w inner "PS1='> '; unsetopt AUTO_LIST BEEP; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w inner "__out=${(q)out}"
zpty -w inner 'compadd() { local a; for a in "$@"; do [[ $a == -- ]] && break; if [[ $a == -[OAD]* ]]; then builtin compadd "$@"; return; fi; done; local -a found; builtin compadd -A found "$@"; (( $#found )) && print -rl -- $found >> $__out; builtin compadd "$@"; }'
zpty -w inner '__captured() { print -r -- "<<end>>" >> $__out; }'
for line in "$@"; do
  : > $out
  # _main_complete empties comppostfuncs after each completion: arm it again.
  zpty -w inner 'comppostfuncs=(__captured)'
  zpty -w -n inner "$line"$'\t'
  for i in {1..500}; do
    [[ "$(<$out)" == *'<<end>>'* ]] && break
    zpty -r -t inner junk 2>/dev/null
    sleep 0.01
  done
  [[ "$(<$out)" == *'<<end>>'* ]] || print -r -- '<<timeout>>' >> $out
  cat $out
  # Ctrl-U: clear the line for the next query.
  zpty -w -n inner $'\x15'
done
zpty -d inner
