// The version MiniK8s reports: the API server on /version, mkctl as its client version. The minor
// version is the Kubernetes API level served (kubectl's version-skew dispatcher reads it).

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-minik8s',
  gitCommit: 'minik8s',
  gitTreeState: 'clean',
  buildDate: '2026-11-25T00:00:00Z',
  goVersion: 'go1.23-nodejs20',
  compiler: 'node',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};
