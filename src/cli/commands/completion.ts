// `mkctl completion bash|zsh|fish`: scripts that ask `mkctl __complete WORDS... CURRENT` for candidates
// (commands/complete.ts), so every shell completes the same things: commands, flags, flag values, kinds
// and live object names. The last line of __complete's answer is `:N`, a bit set: 1 = complete file
// names instead, 2 = no space after the candidate.

import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

const BASH = `# bash completion for mkctl. Load it with:  source <(mkctl completion bash)
_mkctl() {
  local line=\${COMP_LINE:0:COMP_POINT}
  local -a words
  read -r -a words <<<"$line"
  [[ $line =~ [[:space:]]$ ]] && words+=("")
  (( \${#words[@]} < 2 )) && return 0
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local typed=\${words[\${#words[@]}-1]}
  local -a lines
  mapfile -t lines < <("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null)
  (( \${#lines[@]} == 0 )) && return 0
  local directive=\${lines[\${#lines[@]}-1]#:}
  unset 'lines[\${#lines[@]}-1]'
  [[ $directive =~ ^[0-9]+$ ]] || directive=0
  COMPREPLY=()
  if (( directive & 1 )); then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
  fi
  (( directive & 2 )) && compopt -o nospace 2>/dev/null
  # bash splits words at = and :, so it replaces only the part after them; drop that prefix.
  [[ $cur == "=" || $cur == ":" ]] && cur=""
  local strip=\${typed%"$cur"}
  local c
  for c in "\${lines[@]}"; do
    [[ -n $c && $c == "$strip"* ]] && COMPREPLY+=("\${c#"$strip"}")
  done
  return 0
}
complete -F _mkctl mkctl
`;

const ZSH = `#compdef mkctl
# zsh completion for mkctl. Load it with:  source <(mkctl completion zsh)   (after compinit),
# or save it as _mkctl in a directory of $fpath.
_mkctl() {
  local -a lines cands opts
  local directive
  lines=("\${(@f)$(\${words[1]} __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  (( \${#lines} == 0 )) && return 1
  directive=\${lines[-1]#:}
  cands=("\${(@)lines[1,-2]}")
  cands=(\${cands:#})
  if (( directive & 1 )); then
    _files
    return
  fi
  (( directive & 2 )) && opts=(-S '')
  compadd "\${opts[@]}" -- "\${cands[@]}"
}
if [ "$funcstack[1]" = "_mkctl" ]; then
  _mkctl "$@"
else
  compdef _mkctl mkctl
fi
`;

const FISH = `# fish completion for mkctl. Load it with:  mkctl completion fish | source
function __mkctl_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l cmd $tokens[1]
    set -e tokens[1]
    set -l out ($cmd __complete $tokens $current 2>/dev/null)
    test (count $out) -gt 0; or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if contains -- $directive 1 3
        __fish_complete_path $current
        return
    end
    printf '%s\\n' $out
end
complete -c mkctl -f -a '(__mkctl_complete)'
`;

export const SCRIPTS: Readonly<Record<string, string>> = { bash: BASH, zsh: ZSH, fish: FISH };

export function run(ctx: CommandContext): Promise<number> {
  const [shell, ...extra] = ctx.args.positionals;
  const script = shell !== undefined && Object.hasOwn(SCRIPTS, shell) ? SCRIPTS[shell] : undefined;
  if (script === undefined || extra.length > 0) throw new UsageError(`completion takes one shell: bash, zsh or fish${shell ? ` (not "${shell}")` : ''}`);
  ctx.io.out(script);
  return Promise.resolve(0);
}
