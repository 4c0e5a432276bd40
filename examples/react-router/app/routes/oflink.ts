import { oflink } from '../oflink.server';

export const loader = ({ request }: { request: Request }) => oflink(request);
export const action = loader;
