/**
 * A VPC across two or three zones: private subnets for nodes and pods (tagged for Karpenter and
 * internal load balancers), public subnets only for NAT gateways, and an S3 gateway endpoint so
 * event logs and shuffle data do not pay NAT traffic. Or the ids of an existing VPC.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { planSubnets } from '../lib/subnets';
import type { AwsClusterArgs } from './args';
import { type AwsContext, childOptions } from './context';

export interface Network {
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string>[];
  /** Existing subnets are selected by id; new ones by the karpenter.sh/discovery tag. */
  existingSubnetIds?: string[];
}

export function createNetwork(ctx: AwsContext, network: AwsClusterArgs['network'], clusterName: string): Network {
  if ('vpcId' in network) {
    return {
      vpcId: pulumi.output(network.vpcId),
      privateSubnetIds: network.privateSubnetIds.map((id) => pulumi.output(id)),
      existingSubnetIds: network.privateSubnetIds,
    };
  }
  const opts = childOptions(ctx);
  const tags = (name: string, extra: Record<string, string> = {}) => ({ ...ctx.tags, Name: name, ...extra });
  const zones = aws.getAvailabilityZonesOutput({ state: 'available' }, { parent: ctx.parent, provider: ctx.provider });
  const indexes = Array.from({ length: network.zoneCount }, (_, i) => String(i));
  const plan = planSubnets(network.cidr, indexes);

  const vpc = new aws.ec2.Vpc(
    `${ctx.name}-vpc`,
    { cidrBlock: network.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags(`${ctx.name}-vpc`) },
    opts,
  );
  const igw = new aws.ec2.InternetGateway(`${ctx.name}-igw`, { vpcId: vpc.id, tags: tags(`${ctx.name}-igw`) }, opts);
  const publicRoutes = new aws.ec2.RouteTable(
    `${ctx.name}-public`,
    { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }], tags: tags(`${ctx.name}-public`) },
    opts,
  );

  const privateSubnetIds: pulumi.Output<string>[] = [];
  const privateRouteTableIds: pulumi.Output<string>[] = [];
  let sharedNat: aws.ec2.NatGateway | undefined;
  plan.forEach((subnet, i) => {
    const zone = zones.names.apply((names) => {
      const found = names[i];
      if (!found)
        throw new Error(`network.zoneCount: ${network.zoneCount} zones asked, the region has ${names.length}`);
      return found;
    });
    const publicSubnet = new aws.ec2.Subnet(
      `${ctx.name}-public-${i}`,
      {
        vpcId: vpc.id,
        cidrBlock: subnet.publicCidr,
        availabilityZone: zone,
        mapPublicIpOnLaunch: false,
        tags: tags(`${ctx.name}-public-${i}`, { 'kubernetes.io/role/elb': '1' }),
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${ctx.name}-public-${i}`,
      { subnetId: publicSubnet.id, routeTableId: publicRoutes.id },
      opts,
    );
    if (network.natGatewayPerZone || !sharedNat) {
      const eip = new aws.ec2.Eip(`${ctx.name}-nat-${i}`, { domain: 'vpc', tags: tags(`${ctx.name}-nat-${i}`) }, opts);
      sharedNat = new aws.ec2.NatGateway(
        `${ctx.name}-nat-${i}`,
        { allocationId: eip.id, subnetId: publicSubnet.id, tags: tags(`${ctx.name}-nat-${i}`) },
        childOptions(ctx, { dependsOn: [igw] }),
      );
    }
    const privateSubnet = new aws.ec2.Subnet(
      `${ctx.name}-private-${i}`,
      {
        vpcId: vpc.id,
        cidrBlock: subnet.privateCidr,
        availabilityZone: zone,
        tags: tags(`${ctx.name}-private-${i}`, {
          'kubernetes.io/role/internal-elb': '1',
          'karpenter.sh/discovery': clusterName,
        }),
      },
      opts,
    );
    const routes = new aws.ec2.RouteTable(
      `${ctx.name}-private-${i}`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: sharedNat.id }],
        tags: tags(`${ctx.name}-private-${i}`),
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${ctx.name}-private-${i}`,
      { subnetId: privateSubnet.id, routeTableId: routes.id },
      opts,
    );
    privateSubnetIds.push(privateSubnet.id);
    privateRouteTableIds.push(routes.id);
  });

  new aws.ec2.VpcEndpoint(
    `${ctx.name}-s3`,
    {
      vpcId: vpc.id,
      serviceName: pulumi.interpolate`com.amazonaws.${ctx.provider.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: privateRouteTableIds,
      tags: tags(`${ctx.name}-s3`),
    },
    opts,
  );
  return { vpcId: vpc.id, privateSubnetIds };
}
