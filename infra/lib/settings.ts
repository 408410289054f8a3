/** What one deployment is made of, read from CDK context (`cdk.json` and `-c key=value`). */
export interface Settings {
  region: string;
  /** Two zones of `region`, named so the VPC needs no lookup (synth stays offline). */
  availabilityZones: string[];
  /** ACM certificate (in `region`) for the load balancer's HTTPS listener. */
  certificateArn: string;
  /** Host name the API and portal are reached at; PUBLIC_URL is https:// on it. */
  domainName: string;
  /** Domain verified in SES that notification emails come from. */
  mailDomain: string;
  /** ECR repository in this account and region holding the image. */
  imageRepository: string;
  /** Immutable image tag to run; a new tag is a new deployment and runs `migrate` again. */
  imageTag: string;
  /** NAT gateways: 2 keeps egress (webhooks, SES, ECR) up when a zone fails, 1 saves one gateway. */
  natGateways: number;
  /** Address subscribed to the alarm topic; none when absent. */
  alarmEmail: string | undefined;
}

/** Reads the settings, listing every missing or bad value at once. */
export function readSettings(context: (key: string) => unknown): Settings {
  const problems: string[] = [];
  const text = (key: string, pattern: RegExp, example: string): string => {
    const value = context(key);
    if (typeof value === 'string' && pattern.test(value)) return value;
    problems.push(
      `${key}: ${value === undefined ? 'missing' : `"${String(value)}" is not valid`}, e.g. -c ${key}=${example}`,
    );
    return '';
  };
  const region = text('region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'eu-west-1');
  const zones = context('availabilityZones');
  // The CLI hands over strings (-c availabilityZones=eu-west-1a,eu-west-1b); cdk.json, a list.
  const availabilityZones = typeof zones === 'string' ? zones.split(',').map((zone) => zone.trim()) : zones;
  const zonesValid =
    Array.isArray(availabilityZones) &&
    availabilityZones.length === 2 &&
    new Set(availabilityZones).size === 2 &&
    availabilityZones.every(
      (zone) => typeof zone === 'string' && zone.startsWith(region) && zone.length > region.length,
    );
  if (!zonesValid) problems.push(`availabilityZones: two distinct zones of ${region || 'the region'} are needed`);
  const natGateways = Number(context('natGateways') ?? 2);
  if (natGateways !== 1 && natGateways !== 2) problems.push('natGateways: 1 or 2');
  const alarmEmail = context('alarmEmail');
  if (alarmEmail !== undefined && (typeof alarmEmail !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(alarmEmail))) {
    problems.push(`alarmEmail: "${String(alarmEmail)}" is not an email address`);
  }
  const settings: Settings = {
    region,
    availabilityZones: zonesValid ? (availabilityZones as string[]) : [],
    certificateArn: text(
      'certificateArn',
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
      'arn:aws:acm:…',
    ),
    domainName: text('domainName', /^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'securebase.example.com'),
    mailDomain: text('mailDomain', /^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'example.com'),
    imageRepository: text('imageRepository', /^[a-z0-9][a-z0-9._/-]*$/, 'securebase'),
    imageTag: text('imageTag', /^[\w][\w.-]{0,127}$/, '0.1.0-3f2a1c9'),
    natGateways,
    alarmEmail: alarmEmail as string | undefined,
  };
  if (problems.length > 0) throw new Error(`Bad deployment settings:\n  ${problems.join('\n  ')}`);
  return settings;
}
