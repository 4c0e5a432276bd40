import { oflink } from '@/lib/oflink';

export { oflink as DELETE, oflink as GET, oflink as POST };
