#!/usr/bin/env bash
# The Kubernetes manifests (deploy/kubernetes), checked offline: every file
# kustomization.yaml lists (and the example Secrets) against the Kubernetes
# API's JSON schemas in strict mode (an unknown field is an error) by
# kubernetes-validate, whose package carries the schemas; every manifest in
# the folder is listed; and every Deployment has a PodDisruptionBudget and,
# unless it never touches the database (the dashboard reads only Kafka),
# waits for the schema.
set -euo pipefail
src="${SUCCESSION_SOURCE_DIR:?run through ctest}"
validator="${SUCCESSION_MANIFEST_VALIDATOR:-$src/.local/tools/venv/bin/kubernetes-validate}"
version="${SUCCESSION_KUBERNETES_VERSION:-1.30.0}"
dir="$src/deploy/kubernetes"
[[ -x $validator ]] || { echo "no kubernetes-validate at $validator: run ./deploy/dev.sh setup" >&2; exit 1; }

bad=0
complain() { echo "$*" >&2; bad=1; }
mapfile -t listed < <(sed -n '/^resources:/,/^[^ -]/s/^  - //p' "$dir/kustomization.yaml")
((${#listed[@]} > 0)) || complain "kustomization.yaml lists no resources"
for f in "$dir"/*.yaml; do
    name=$(basename "$f")
    case $name in kustomization.yaml | secret.example.yaml) continue ;; esac
    printf '%s\n' "${listed[@]}" | grep -qx "$name" || complain "$name is not in kustomization.yaml"
done

files=()
for name in "${listed[@]}" secret.example.yaml; do
    [[ -f $dir/$name ]] || { complain "kustomization.yaml lists $name, which is missing"; continue; }
    files+=("$dir/$name")
done
# A kind or apiVersion without a schema is only a warning to the validator:
# here anything but a pass fails.
out=$("$validator" --strict -k "$version" "${files[@]}" 2>&1) || true
echo "$out"
grep -v '^INFO .* passed for resource ' <<<"$out" | grep -q . && complain "not every resource passed"

# What the schemas cannot say.
for f in "${files[@]}"; do
    grep -q '^kind: Deployment$' "$f" || continue
    component=$(sed -n 's/^    app.kubernetes.io\/component: //p' "$f" | head -n1)
    [[ $component == succession-dashboard ]] ||
        grep -q 'command: \["/usr/local/bin/successionctl", "migrate", "--check", "--wait"' "$f" ||
        complain "$(basename "$f"): no init step waiting for the schema"
    grep -q "app.kubernetes.io/component: $component\$" "$dir/pdb.yaml" ||
        complain "$(basename "$f"): no PodDisruptionBudget for $component"
done
((bad == 0)) && echo "${#files[@]} files valid against Kubernetes $version"
exit "$bad"
